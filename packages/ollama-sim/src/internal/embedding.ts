import { setImmediate as nextTurn } from 'node:timers';
import { createRandom } from '@x/internal';
import { goFloat32 } from './go-json';
import type { Life } from './life';
import { hashString } from './prng';

// Vectors are a pure function of (model, input): a seeded Gaussian-ish vector, L2-normalised,
// rounded to float32, and formatted as Go prints float32. Formatting is the costly part (about a
// microsecond per value), so a large request is formatted in slices with a turn of the event loop
// between them (other requests keep being answered), and stops as soon as its client goes away.
// Recent results are kept in a small LRU bounded in characters.

/** Values formatted between two turns of the event loop. */
const SLICE = 16_384;
const CACHE_CHARS = 8 * 1024 * 1024;
const cache = new Map<string, string>();
let cachedChars = 0;

function normalised(model: string, input: string, dims: number, cut: number): Float32Array {
  const random = createRandom(hashString(input, hashString(model)));
  const raw = new Float64Array(dims);
  for (let i = 0; i < dims; i++) raw[i] = random() + random() + random() - 1.5;
  const n = Math.min(cut, dims);
  let norm = 0;
  for (let i = 0; i < n; i++) norm += raw[i]! * raw[i]!;
  norm = Math.sqrt(norm) || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = raw[i]! / norm;
  return out;
}

function remember(key: string, text: string): void {
  if (text.length > CACHE_CHARS / 4) return;
  cache.set(key, text);
  cachedChars += text.length;
  while (cachedChars > CACHE_CHARS) {
    const [oldest, value] = cache.entries().next().value!;
    cache.delete(oldest);
    cachedChars -= value.length;
  }
}

function recall(key: string): string | undefined {
  const hit = cache.get(key);
  if (hit !== undefined) {
    cache.delete(key);
    cache.set(key, hit);
  }
  return hit;
}

/** What one embedding request asks for. */
export interface EmbedJob {
  readonly model: string;
  readonly inputs: readonly string[];
  readonly dims: number;
  /** Output dimensions (`dimensions`, at most `dims`): the vector is cut, then re-normalised. */
  readonly cut: number;
  /** Called after each vector (stats). */
  readonly onVector: () => void;
}

/** A vector as base64 of its little-endian float32 bytes (OpenAI's `encoding_format: "base64"`). */
function base64Of(vector: Float32Array): string {
  const bytes = Buffer.allocUnsafe(vector.length * 4);
  for (let i = 0; i < vector.length; i++) bytes.writeFloatLE(vector[i]!, i * 4);
  return bytes.toString('base64');
}

/**
 * Each input's embedding as JSON array text (`[0.011,-0.038,...]`, Go's float32 digits) or as
 * base64 of its float32 bytes; undefined when the request's life ended (client gone, simulator
 * closed) before the last one.
 */
export async function embeddingTexts(
  job: EmbedJob,
  life: Life,
  encoding: 'json' | 'base64',
): Promise<string[] | undefined> {
  const out: string[] = [];
  let budget = SLICE;
  const pause = async (): Promise<boolean> => {
    budget = SLICE;
    await new Promise<void>((resolve) => nextTurn(resolve));
    return !life.aborted;
  };
  for (const input of job.inputs) {
    if (life.aborted) return undefined;
    const key = `${encoding}\u0000${job.model}\u0000${job.dims}\u0000${job.cut}\u0000${input}`;
    let text = recall(key);
    if (text === undefined) {
      const vector = normalised(job.model, input, job.dims, job.cut);
      if (encoding === 'base64') {
        text = base64Of(vector);
        budget -= vector.length;
        if (budget <= 0 && !(await pause())) return undefined;
      } else {
        const parts = new Array<string>(vector.length);
        for (let i = 0; i < vector.length; i++) {
          parts[i] = goFloat32(vector[i]!);
          if (--budget === 0 && !(await pause())) return undefined;
        }
        text = `[${parts.join(',')}]`;
      }
      remember(key, text);
    }
    out.push(text);
    job.onVector();
  }
  return out;
}

/** Each input's embedding as JSON array text; see {@link embeddingTexts}. */
export function embeddingsJson(job: EmbedJob, life: Life): Promise<string[] | undefined> {
  return embeddingTexts(job, life, 'json');
}
