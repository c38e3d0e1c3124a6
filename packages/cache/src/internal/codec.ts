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
    const bytes = deflateSync(json, { level, dictionary: DICTIONARY_V1 });
    // Incompressible text (already random, tiny) stays raw: compression must never cost bytes.
    if (bytes.length < rawSize) {
      return { compressed: true, bytes, json, rawSize, size: bytes.length };
    }
  }
  return { compressed: false, bytes: undefined, json, rawSize, size: rawSize };
}

export function inflateJson(bytes: Uint8Array): string {
  return inflateSync(bytes, { dictionary: DICTIONARY_V1 }).toString('utf8');
}

/**
 * The envelope written to a store: 1 byte format (1 = JSON text, 2 = JSON deflated with the
 * preset dictionary v1), 8 bytes
 * absolute expiry (ms since the epoch, float64 big-endian), 4 bytes uncompressed size, payload.
 * The expiry travels with the value so a process reading it keeps it no longer than the writer.
 */
const HEADER = 13;
const FORMAT_JSON = 1;
const FORMAT_DEFLATE = 2;

export function toEnvelope(encoded: Encoded, expiresAtEpochMs: number): Buffer {
  const payload = encoded.compressed ? encoded.bytes! : Buffer.from(encoded.json, 'utf8');
  const out = Buffer.allocUnsafe(HEADER + payload.length);
  out[0] = encoded.compressed ? FORMAT_DEFLATE : FORMAT_JSON;
  out.writeDoubleBE(expiresAtEpochMs, 1);
  out.writeUInt32BE(encoded.rawSize, 9);
  payload.copy(out, HEADER);
  return out;
}

export interface Envelope {
  readonly expiresAtEpochMs: number;
  readonly encoded: Encoded;
}

/** Reads an envelope; `undefined` when the bytes are not one (foreign or corrupt data). */
export function fromEnvelope(data: Uint8Array): Envelope | undefined {
  if (data.length < HEADER) return undefined;
  const buffer = Buffer.isBuffer(data)
    ? data
    : Buffer.from(data.buffer, data.byteOffset, data.length);
  const format = buffer[0];
  const expiresAtEpochMs = buffer.readDoubleBE(1);
  const rawSize = buffer.readUInt32BE(9);
  const payload = buffer.subarray(HEADER);
  if (!Number.isFinite(expiresAtEpochMs)) return undefined;
  if (format === FORMAT_DEFLATE) {
    const bytes = Buffer.from(payload);
    return {
      expiresAtEpochMs,
      encoded: { compressed: true, bytes, json: '', rawSize, size: bytes.length },
    };
  }
  if (format === FORMAT_JSON) {
    const json = payload.toString('utf8');
    return {
      expiresAtEpochMs,
      encoded: { compressed: false, bytes: undefined, json, rawSize, size: rawSize },
    };
  }
  return undefined;
}
