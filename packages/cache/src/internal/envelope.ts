import type { CacheCorruptReason } from '../events';
import { deepFreeze, type Encoded, inflate, ownBytes } from './codec';

/**
 * The envelope written to a store: 1 byte format (1 = JSON text, 2 = JSON deflated with the
 * preset dictionary v1), 8 bytes absolute expiry (ms since the epoch, float64 big-endian), 4 bytes
 * uncompressed size, payload. The expiry travels with the value so a process reading it keeps it
 * no longer than the writer meant to.
 *
 * What comes back from a store is not trusted: another program may write under the same keys, or
 * an attacker with access to Redis. Sizes are checked against what the payload really decodes to,
 * inflation stops at the declared size, and nothing larger than the cache's own limit is decoded.
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

/** An entry read back and checked: the decoded value and what memory keeps of it. */
export interface OpenedEnvelope {
  readonly kind: 'value';
  readonly expiresAtEpochMs: number;
  readonly encoded: Encoded;
  /** The deep-frozen value. */
  readonly value: unknown;
}

/** The entry is sound but its JSON is larger than `maxBytes`: not decoded, a miss. */
export interface OversizedEnvelope {
  readonly kind: 'too-large';
}

/** The entry is not what this cache writes. */
export interface CorruptEnvelope {
  readonly kind: 'corrupt';
  readonly reason: CacheCorruptReason;
}

const corrupt = (reason: CacheCorruptReason): CorruptEnvelope => ({ kind: 'corrupt', reason });
const TOO_LARGE: OversizedEnvelope = { kind: 'too-large' };

function parse(json: string): { value: unknown } | undefined {
  try {
    return { value: deepFreeze(JSON.parse(json)) };
  } catch {
    return undefined;
  }
}

/**
 * Opens an envelope read from a store, decoding at most `maxBytes` bytes of JSON.
 * Never throws: a corrupt entry is reported as such.
 */
export function openEnvelope(
  data: Uint8Array,
  maxBytes: number,
): OpenedEnvelope | OversizedEnvelope | CorruptEnvelope {
  if (data.length < HEADER) return corrupt('format');
  const buffer = Buffer.isBuffer(data)
    ? data
    : Buffer.from(data.buffer, data.byteOffset, data.length);
  const format = buffer[0];
  const expiresAtEpochMs = buffer.readDoubleBE(1);
  const rawSize = buffer.readUInt32BE(9);
  const payload = buffer.subarray(HEADER);
  if (!Number.isFinite(expiresAtEpochMs)) return corrupt('format');
  if (format === FORMAT_JSON) {
    if (payload.length !== rawSize) return corrupt('size');
    if (rawSize > maxBytes) return TOO_LARGE;
    const json = payload.toString('utf8');
    const parsed = parse(json);
    if (parsed === undefined) return corrupt('json');
    const encoded: Encoded = { compressed: false, bytes: undefined, json, rawSize, size: rawSize };
    return { kind: 'value', expiresAtEpochMs, encoded, value: parsed.value };
  }
  if (format === FORMAT_DEFLATE) {
    // JSON is never empty, and compression is kept only when it saves bytes.
    if (rawSize === 0 || payload.length >= rawSize) return corrupt('size');
    if (rawSize > maxBytes) return TOO_LARGE;
    let inflated: Buffer;
    try {
      inflated = inflate(payload, rawSize);
    } catch (error) {
      const tooLong = (error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE';
      return corrupt(tooLong ? 'size' : 'inflate');
    }
    if (inflated.length !== rawSize) return corrupt('size');
    const parsed = parse(inflated.toString('utf8'));
    if (parsed === undefined) return corrupt('json');
    // Kept in memory: the store's buffer may be a slice of a larger one (a socket read), and a
    // pooled copy would share an 8 KiB slab; memory must pin neither.
    const bytes = ownBytes(payload);
    const encoded: Encoded = { compressed: true, bytes, json: '', rawSize, size: bytes.length };
    return { kind: 'value', expiresAtEpochMs, encoded, value: parsed.value };
  }
  return corrupt('format');
}
