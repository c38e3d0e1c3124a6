import { hash } from 'node:crypto';
import type { CacheCorruptReason } from '../events';
import { deepFreeze, type Encoded, inflate, ownBytes } from './codec';

/**
 * The envelope written to a store: 1 byte format (3 = JSON text, 4 = JSON deflated with the
 * preset dictionary v1), 8 bytes absolute expiry (ms since the epoch, float64 big-endian), 4 bytes
 * uncompressed size, 8 bytes of the key's SHA-256, payload. The expiry travels with the value so
 * a process reading it keeps it no longer than the writer meant to. The key's digest makes a
 * reply that is another key's value (a proxy that lost a reply, a client that matched replies to
 * the wrong commands) a corrupt entry, never another request's answer.
 *
 * Formats 1 and 2 are the same without the digest, as versions before it wrote them: still read
 * (without that check), so that the entries of the processes not yet upgraded stay hits during a
 * rolling deploy.
 *
 * What comes back from a store is not trusted: another program may write under the same keys, or
 * an attacker with access to Redis. Sizes are checked against what the payload really decodes to,
 * inflation stops at the declared size, and nothing larger than the cache's own limit is decoded.
 * A store may answer an entry longer than {@link envelopeLimit} with a prefix of it (the Redis
 * store does, so as never to transfer it): its header is still checked, and it is too large.
 */
const HEADER = 13;
const DIGEST = 8;
const HEADER_KEYED = HEADER + DIGEST;
const FORMAT_JSON = 1;
const FORMAT_DEFLATE = 2;
const FORMAT_JSON_KEYED = 3;
const FORMAT_DEFLATE_KEYED = 4;

function keyDigest(key: string): Buffer {
  return hash('sha256', key, 'buffer').subarray(0, DIGEST);
}

/**
 * The longest envelope that holds at most `maxBytes` of JSON (compressed, the payload is shorter
 * than its JSON): a longer one is too large, or corrupt, whatever the rest of it holds.
 */
export function envelopeLimit(maxBytes: number): number {
  return HEADER_KEYED + maxBytes;
}

/** The envelope of `encoded`, stored under `key`. */
export function toEnvelope(encoded: Encoded, expiresAtEpochMs: number, key: string): Buffer {
  const payload = encoded.compressed ? encoded.bytes! : Buffer.from(encoded.json, 'utf8');
  const out = Buffer.allocUnsafe(HEADER_KEYED + payload.length);
  out[0] = encoded.compressed ? FORMAT_DEFLATE_KEYED : FORMAT_JSON_KEYED;
  out.writeDoubleBE(expiresAtEpochMs, 1);
  out.writeUInt32BE(encoded.rawSize, 9);
  keyDigest(key).copy(out, HEADER);
  payload.copy(out, HEADER_KEYED);
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
 * Opens an envelope read from a store under `key`, decoding at most `maxBytes` bytes of JSON.
 * Never throws: a corrupt entry is reported as such.
 */
export function openEnvelope(
  data: Uint8Array,
  maxBytes: number,
  key: string,
): OpenedEnvelope | OversizedEnvelope | CorruptEnvelope {
  const buffer = Buffer.isBuffer(data)
    ? data
    : Buffer.from(data.buffer, data.byteOffset, data.length);
  const keyed = buffer[0] === FORMAT_JSON_KEYED || buffer[0] === FORMAT_DEFLATE_KEYED;
  const header = keyed ? HEADER_KEYED : HEADER;
  if (data.length < header) return corrupt('format');
  // The keyed formats are read as the older ones once their digest matches.
  const format = keyed ? buffer[0]! - 2 : buffer[0];
  const expiresAtEpochMs = buffer.readDoubleBE(1);
  const rawSize = buffer.readUInt32BE(9);
  const payload = buffer.subarray(header);
  if (!Number.isFinite(expiresAtEpochMs)) return corrupt('format');
  if (format !== FORMAT_JSON && format !== FORMAT_DEFLATE) return corrupt('format');
  if (keyed && !keyDigest(key).equals(buffer.subarray(HEADER, HEADER_KEYED))) {
    return corrupt('key');
  }
  // Possibly only a prefix (see envelopeLimit): the payload is longer than maxBytes, so it can
  // only match a declared size larger than maxBytes, and that one is too large either way.
  if (payload.length > maxBytes) return rawSize > maxBytes ? TOO_LARGE : corrupt('size');
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
