/** What the simulator keeps of a blob: its size and first bytes (to tell a GGUF file), never its content. */
export interface Blob {
  readonly size: number;
  /** Whether it starts with the GGUF magic (`GGUF`, or `FUGG` for a big-endian file). */
  readonly gguf: boolean;
}

/** `sha256:<hex>` or `sha256-<hex>`, as Ollama's `BlobsPath` accepts them. */
export const DIGEST_FORMAT = /^sha256[:-][0-9a-fA-F]{64}$/;

/** One key per blob whichever separator names it (Ollama stores both as `sha256-<hex>`). */
function keyOf(digest: string): string {
  return `sha256:${digest.slice(7)}`;
}

/**
 * The blobs the simulated server holds: the layers of its models, pulled ones and uploads. A pull
 * that was cut keeps its progress so the next pull of that blob resumes, as Ollama's does.
 */
export class BlobStore {
  private readonly blobs = new Map<string, Blob>();
  private readonly partial = new Map<string, number>();

  has(digest: string): boolean {
    return this.blobs.has(keyOf(digest));
  }

  get(digest: string): Blob | undefined {
    return this.blobs.get(keyOf(digest));
  }

  add(digest: string, blob: Blob): void {
    this.blobs.set(keyOf(digest), blob);
    this.partial.delete(keyOf(digest));
  }

  delete(digest: string): void {
    this.blobs.delete(keyOf(digest));
  }

  /** Bytes of the blob already downloaded by an earlier, interrupted pull. */
  downloaded(digest: string): number {
    return this.partial.get(keyOf(digest)) ?? 0;
  }

  keepPartial(digest: string, bytes: number): void {
    if (bytes > 0) this.partial.set(keyOf(digest), bytes);
  }
}
