import type { Exchange, SimContext } from '../context';
import { goJson } from '../go-json';
import type { Layer } from '../layers';
import { NDJSON_TYPE } from '../responder';

// The progress answers of pull, push and create, as Ollama's streamResponse and waitForStream
// write them: NDJSON lines `{"status","digest","total","completed"}` (zeros omitted) ending with
// `{"status":"success"}`; with `stream: false`, only the last status as one JSON object. An error
// before the first line is an HTTP status with `{"error"}`; after it, an `{"error"}` line.

/** Ollama's download and upload ticker: one progress line per layer every 60 ms. */
export const TICK_MS = 60;

/** Both `streamResponse` and `waitForStream` set this (no charset) before writing any JSON. */
const PROGRESS_JSON = 'application/json';

export interface ProgressLine {
  readonly status: string;
  readonly digest?: string | undefined;
  readonly total?: number | undefined;
  readonly completed?: number | undefined;
}

export class Progress {
  private started = false;
  private readonly stream: boolean;

  constructor(private readonly ex: Exchange) {
    this.stream = ex.body.stream !== false;
  }

  /** True once the client went away or a fault ended the answer: stop working. */
  get over(): boolean {
    return this.ex.life.aborted || this.ex.out.gone || this.ex.out.cut;
  }

  /** Reports a status (streams only); false when the work must stop. */
  async line(line: ProgressLine): Promise<boolean> {
    if (this.over) return false;
    if (!this.stream) return true;
    if (!(await this.begin())) return false;
    const { status, digest, total, completed } = line;
    return this.ex.out.chunk(
      `${goJson({ status, digest, total: total || undefined, completed: completed || undefined })}\n`,
      false,
    );
  }

  async success(): Promise<void> {
    if (this.over) return;
    if (!this.stream) return this.ex.out.send(200, '{"status":"success"}', PROGRESS_JSON);
    if (await this.begin()) await this.ex.out.chunk('{"status":"success"}\n', true);
  }

  /** Ends with an error: an HTTP `status` before any line, an error line after. */
  async fail(text: string, status = 500): Promise<void> {
    if (this.over) return;
    const body = goJson({ error: text });
    if (!this.started) return this.ex.out.send(status, body, PROGRESS_JSON);
    await this.ex.out.chunk(`${body}\n`, true);
  }

  private async begin(): Promise<boolean> {
    if (!this.started) {
      this.started = true;
      await this.ex.out.start(200, NDJSON_TYPE);
    }
    return !this.over;
  }
}

/**
 * Moves one blob at `transferBytesPerSecond` from `from` bytes already there, reporting
 * `<verb> <12 hex digits>` lines as Ollama does. Returns the bytes done when it stopped (all of
 * them unless the client went away).
 */
export async function transfer(
  ctx: SimContext,
  ex: Exchange,
  progress: Progress,
  verb: 'pulling' | 'pushing',
  layer: Layer,
  from = 0,
): Promise<number> {
  const status = `${verb} ${layer.digest.slice(7, 19)}`;
  const { digest, size } = layer;
  const rate = ctx.opts.transferBytesPerSecond;
  if (from >= size || !Number.isFinite(rate)) {
    return (await progress.line({ status, digest, total: size, completed: size })) ? size : from;
  }
  let done = from;
  if (!(await progress.line({ status, digest, total: size, completed: done }))) return done;
  while (done < size) {
    await ex.life.sleep(TICK_MS);
    if (progress.over) return done;
    done = Math.min(size, done + Math.max(1, Math.floor((rate * TICK_MS) / 1000)));
    if (!(await progress.line({ status, digest, total: size, completed: done }))) return done;
  }
  return done;
}
