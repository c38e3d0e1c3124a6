import { createHash } from 'node:crypto';
import { isUint8Array } from 'node:util/types';
import { callOptions, fail, optionalNumber, SIGNAL_KEYS } from '@x/internal';
import { endUnsentBody, type ProviderCore, thisRealm } from '@x/provider-core';
import { canonicalDigest, expectDigest } from './create-body';
import type { BlobData, PushBlobOptions } from './types';
import { isBlobAbsent } from './wire/http-errors';

// Ollama's blob calls (`HEAD` and `POST /api/blobs/:digest`): what `create({ files, adapters })`
// names must be on the server first. Both go through the core's metadata path (credentials,
// deadlines, retries, breaker, typed errors, destroy()), the upload as a raw body.

/** What a stream whose bytes are not its `size` is told about: this call's own arguments. */
const BLOB_NAMES = { length: 'options.size', data: 'data' } as const;

const PUSH_BLOB_KEYS = ['digest', 'size', 'signal'] as const;

function isAsyncIterable(value: unknown): value is AsyncIterable<Uint8Array> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function'
  );
}

/**
 * True when the server holds the blob (`HEAD /api/blobs/:digest` answers 200), false on Ollama's
 * JSON 404. A 404 that is not JSON (gin's text `404 page not found`, a proxy's page: a wrong
 * `baseUrl`) and any other failure (a 500, a refused connection) are the provider's typed error,
 * never `false`: the caller would otherwise upload to, and create on, the wrong server.
 */
export async function hasBlob(
  core: ProviderCore,
  digest: unknown,
  options: unknown,
): Promise<boolean> {
  expectDigest('digest', digest);
  const { signal } = callOptions(options, SIGNAL_KEYS);
  core.assertOpen();
  try {
    // Not `answers: [404]`: only the error mapper sees the answer's type. The 404 is a client
    // error, so it is neither retried nor counted by the breaker.
    await core.request({
      endpoint: `/api/blobs/${canonicalDigest(digest)}`,
      method: 'HEAD',
      signal,
    });
  } catch (error) {
    if (isBlobAbsent(error)) return false;
    throw error;
  }
  return true;
}

/**
 * Uploads a blob (`POST /api/blobs/:digest`) and returns its digest, the name `files` and
 * `adapters` take. The server hashes what it receives: bytes that are not the digest's end with
 * its 400 (`digest mismatch`) as an `OllamaApiError`, never retried. A stream is the call's from
 * the start: ended however the call ends, a bad argument or a closed provider included.
 */
export async function pushBlob(
  core: ProviderCore,
  data: BlobData,
  options: PushBlobOptions | undefined,
): Promise<string> {
  // Bytes of another realm (a `vm` context, some test runners) are bytes too.
  const body: BlobData = isUint8Array(data) ? thisRealm(data) : data;
  const bytes = body instanceof Uint8Array;
  let digest: string;
  let size: number | undefined;
  let checked: ReturnType<typeof callOptions<(typeof PUSH_BLOB_KEYS)[number]>>;
  try {
    if (!bytes && !isAsyncIterable(body)) {
      fail('data', 'a Uint8Array, or an async iterable of Uint8Array (a Readable)', data);
    }
    checked = callOptions(options, PUSH_BLOB_KEYS);
    if (checked.digest !== undefined) expectDigest('options.digest', checked.digest);
    else if (!bytes) {
      // Hashing a stream here would read it twice (once to hash, once to send).
      fail('options.digest', 'a blob digest (`sha256:<64 hex digits>`) for a stream', undefined);
    }
    size = optionalNumber('options.size', checked.size, { min: 0, integer: true });
    if (bytes && size !== undefined && size !== body.byteLength) {
      fail('options.size', `the length of \`data\` (${body.byteLength}) or left out`, size, true);
    }
    digest = canonicalDigest(
      (checked.digest as string | undefined) ??
        `sha256:${createHash('sha256')
          .update(body as Uint8Array)
          .digest('hex')}`,
    );
  } catch (error) {
    // Refused before the call began: ended here, as the core would have ended it.
    endUnsentBody(body);
    throw error;
  }
  // Closed: the core ends the stream and refuses the call with the closed error, unsent.
  await core.request({
    endpoint: `/api/blobs/${digest}`,
    method: 'POST',
    body: { data: body, length: size, names: BLOB_NAMES },
    signal: checked.signal,
  });
  return digest;
}
