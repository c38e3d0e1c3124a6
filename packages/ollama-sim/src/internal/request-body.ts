import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { scanGoJson } from './go-json-error';

/** Reads a request body up to `limit` bytes. */
export function readBody(
  req: IncomingMessage,
  limit: number,
): Promise<Buffer | 'too-large' | 'aborted'> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!over) resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    });
    req.on('error', () => resolve('aborted'));
    req.on('close', () => {
      if (!req.complete && !over) resolve('aborted');
    });
  });
}

/** Go's name for a JSON value's kind in decoder errors. */
function goKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'boolean') return 'bool';
  return typeof value;
}

/**
 * Decodes a JSON request body as Go's `ShouldBindJSON` would into `api.<struct>` (or the
 * package-qualified type given, `openai.ChatCompletionRequest`): the body, or the decoder's error
 * text (400 in Ollama). Go reads the first JSON value and ignores the rest. An empty body is
 * `missing request body` for the native handlers, Go's bare `EOF` where nothing special-cases it
 * (the OpenAI middleware).
 */
export function decodeJsonBody(
  raw: Buffer,
  struct: string,
): { body: unknown; error?: undefined } | { body?: undefined; error: string } {
  const text = raw.toString('utf8');
  const qualified = struct.includes('.');
  if (text.trim() === '') return { error: qualified ? 'EOF' : 'missing request body' };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    const scanned = scanGoJson(text);
    if ('error' in scanned) return { error: scanned.error };
    body = JSON.parse(text.slice(0, scanned.end));
  }
  if (body !== null && (typeof body !== 'object' || Array.isArray(body)))
    return {
      error: `json: cannot unmarshal ${goKind(body)} into Go value of type ${qualified ? struct : `api.${struct}`}`,
    };
  return { body };
}

/** An upload as the simulator keeps it: hashed while it streams in, never held in memory. */
export interface Upload {
  readonly size: number;
  /** `sha256:<hex>` of the bytes. */
  readonly digest: string;
  /** Whether the bytes start with the GGUF magic. */
  readonly gguf: boolean;
}

/** Ollama's ggml.DetectContentType takes the magic in either byte order (a big-endian GGUF). */
const GGUF_MAGICS = ['GGUF', 'FUGG'];

/** Reads a (possibly large) upload through sha256, keeping only its first bytes. */
export function readUpload(req: IncomingMessage): Promise<Upload | 'aborted'> {
  return new Promise((resolve) => {
    const hash = createHash('sha256');
    let size = 0;
    let head = Buffer.alloc(0);
    req.on('data', (chunk: Buffer) => {
      if (head.length < 4) head = Buffer.concat([head, chunk.subarray(0, 4 - head.length)]);
      size += chunk.length;
      hash.update(chunk);
    });
    req.on('end', () =>
      resolve({
        size,
        digest: `sha256:${hash.digest('hex')}`,
        gguf: GGUF_MAGICS.includes(head.toString('latin1')),
      }),
    );
    req.on('error', () => resolve('aborted'));
    req.on('close', () => {
      if (!req.complete) resolve('aborted');
    });
  });
}
