import { goFloat32 } from './go-json';
import { createRandom, hashString } from './prng';

// Vectors are a pure function of (model, input): a seeded Gaussian-ish vector, L2-normalised,
// rounded to float32, and formatted as Go prints float32. Formatting is the costly part, so
// recent results are kept in a small LRU.
const cache = new Map<string, string>();
const CACHE_LIMIT = 256;

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

/** The JSON array text of one embedding (`[0.011,-0.038,...]`). */
export function embeddingJson(model: string, input: string, dims: number, cut = dims): string {
  const key = `${model}\u0000${dims}\u0000${cut}\u0000${input}`;
  const hit = cache.get(key);
  if (hit !== undefined) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const vector = normalised(model, input, dims, cut);
  const parts = new Array<string>(vector.length);
  for (let i = 0; i < vector.length; i++) parts[i] = goFloat32(vector[i]!);
  const text = `[${parts.join(',')}]`;
  cache.set(key, text);
  if (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  return text;
}
