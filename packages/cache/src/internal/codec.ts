import { deflateSync, inflateSync } from 'node:zlib';
import { DICTIONARY_V1 } from './dictionary';

/**
 * Freezes a freshly parsed JSON value in place, so a value handed out by the cache cannot be
 * changed under the feet of the next reader.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    if (Array.isArray(value)) {
      for (const item of value) deepFreeze(item);
    } else {
      for (const key in value) deepFreeze((value as Record<string, unknown>)[key]);
    }
  }
  return value;
}

/** JSON text of a value, or `undefined` when it has none (undefined, function, cycle, BigInt). */
export function toJson(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

/** A value as it is kept: compressed bytes, or its JSON text as UTF-8 bytes. */
export interface Encoded {
  readonly compressed: boolean;
  /** Bytes as stored. */
  readonly bytes: Buffer | undefined;
  /** The JSON text, when not compressed. */
  readonly json: string;
  /** UTF-8 size of the JSON text. */
  readonly rawSize: number;
  /** Stored size: compressed size or `rawSize`. */
  readonly size: number;
}

export function encode(json: string, compressAboveBytes: number, level: number): Encoded {
  const rawSize = Buffer.byteLength(json);
  if (rawSize > compressAboveBytes) {
    const deflated = deflateSync(json, { level, dictionary: DICTIONARY_V1 });
    // Incompressible text (already random, tiny) stays raw: compression must never cost bytes.
    if (deflated.length < rawSize) {
      // zlib answers with a view of its 16 KiB output chunk: kept as is, each entry would pin it.
      const bytes = ownBytes(deflated);
      return { compressed: true, bytes, json, rawSize, size: bytes.length };
    }
  }
  return { compressed: false, bytes: undefined, json, rawSize, size: rawSize };
}

/**
 * Bytes that own their memory: `bytes` itself when its ArrayBuffer is exactly its size, else an
 * exact-size copy. A value kept in memory must not hold more than its `size` alive: zlib's output
 * is a view of a 16 KiB chunk, a store's reply may be a view of a socket read, and a copy made
 * with `Buffer.from()` under 4 KiB lands in Node's shared 8 KiB pool, which one kept entry pins
 * whole. `maxBytes` counts `size`, so only this keeps it a bound on the memory held.
 */
export function ownBytes(bytes: Uint8Array): Buffer {
  if (
    bytes.byteOffset === 0 &&
    bytes.buffer.byteLength === bytes.length &&
    Buffer.isBuffer(bytes)
  ) {
    return bytes;
  }
  const copy = Buffer.allocUnsafeSlow(bytes.length);
  copy.set(bytes);
  return copy;
}

/**
 * Inflates compressed JSON that must be exactly `rawSize` bytes. zlib stops past `rawSize`
 * (`maxOutputLength`), so a payload that inflates to more (a deflate bomb) costs no more memory
 * than an honest one; it throws a `RangeError` (`ERR_BUFFER_TOO_LARGE`) instead.
 */
export function inflate(bytes: Uint8Array, rawSize: number): Buffer {
  return inflateSync(bytes, { dictionary: DICTIONARY_V1, maxOutputLength: Math.max(1, rawSize) });
}
