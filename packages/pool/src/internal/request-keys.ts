import { expectKnownKeys, type KeyAliases } from '@x/internal';
import type { PoolRequestOptions } from '../pool';

/**
 * Every key `pool.request` takes: undici's request options but `dispatcher` (the pool is the
 * dispatcher). A `Record` over the type's keys, so that the list cannot drift from the type.
 */
const REQUEST_KEYS: Record<keyof PoolRequestOptions, true> = {
  method: true,
  body: true,
  headers: true,
  query: true,
  idempotent: true,
  blocking: true,
  typeOfService: true,
  upgrade: true,
  headersTimeout: true,
  bodyTimeout: true,
  reset: true,
  throwOnError: true,
  expectContinue: true,
  signal: true,
  opaque: true,
  onInfo: true,
  responseHeaders: true,
  highWaterMark: true,
};
// and `path`, which undici's `request` reads though its type leaves it out (see `pool.ts`)
const KNOWN = [...Object.keys(REQUEST_KEYS), 'path'];

/** What other clients call these (axios, got, node-fetch, the pool's own options), for the hint. */
const ALIASES: KeyAliases = {
  timeout: 'headersTimeout',
  timeoutMs: 'headersTimeout',
  headersTimeoutMs: 'headersTimeout',
  bodyTimeoutMs: 'bodyTimeout',
  data: 'body',
  json: 'body',
  params: 'query',
  searchParams: 'query',
};

/**
 * Refuses an unknown key of `pool.request`'s options (a TypeError naming the closest known one):
 * undici ignores one, so `{ timeout: 1000 }` would run with no such bound.
 */
export function expectRequestKeys(options: object): void {
  expectKnownKeys('options', options, KNOWN, ALIASES);
}
