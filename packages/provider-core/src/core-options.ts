/**
 * What a provider built on the core accepts, as one declaration: the options every provider takes
 * (`CoreOptions`), their keys for its unknown-key check, and the names other clients give them.
 * Resolving them into a `Runtime` is `runtime.ts`'s.
 */
import type { Breaker, BreakerOptions } from '@x/breaker';
import type { Cache, CacheOptions } from '@x/cache';
import type { Pool, PoolOptions } from '@x/pool';
import type { ConcurrencyLimiter, RateLimiter } from '@x/rate-limit';
import type { Calibrator } from '@x/tokens';
import type { ProviderRateLimitOptions, TokenOptions } from './compose/pieces';
import type { ShareOptions } from './compose/share';
import type { GetApiKey } from './credentials';
import type { Transport } from './http/transport';
import type { Logger } from './observe/log';
import type { TelemetryOptions } from './observe/telemetry-option';
import type { RetryOptions, TimeoutOptions } from './options';
import type { RetryPolicy } from './retry-policy';

/** The options every provider built on the core accepts (each adds its own). */
export interface CoreOptions {
  /**
   * Extra headers sent with every request. Never copied into errors, events or stats: a value
   * that is not a string is a `TypeError` naming `headers.<name>`, never the value; one that
   * holds a character no HTTP header may (CR, LF, NUL, another control character, one above
   * U+00FF), a name that is not a header name, a header the HTTP client writes itself
   * (`connection`, `content-length`...) or one named twice is a `RangeError`, worded the same
   * way. The value of one named like a credential (`SECRET_HEADER`) is scrubbed from server text,
   * so one whose credential has 1 to 3 characters (`x-api-key: abc`, `Bearer ab`) is such a
   * `RangeError` too: it could not be told from ordinary text.
   */
  headers?: Record<string, string> | undefined;
  /**
   * The API key, sent the way the provider's API expects it. An empty key, or one with a
   * character no HTTP header may hold, is a `RangeError` naming `apiKey` (a value that is not a
   * string a `TypeError`), its value shown as `[redacted]`.
   */
  apiKey?: string | undefined;
  /**
   * Called before each request for a fresh key; wins over `apiKey`. When it throws, rejects, or
   * returns something that is not a key (not a string, a character no HTTP header may hold, a
   * blank key, or one written with its scheme, `Bearer sk-...`, when the provider writes the
   * scheme itself), the call ends with the provider's `CredentialsError` before anything is
   * sent: its message names what went wrong (`getApiKey() failed (VaultError)`), never what the
   * callback threw, and its `cause` keeps only the thrown error's name and code.
   */
  getApiKey?: GetApiKey | undefined;
  /** Connection pool (`@x/pool`): options for a private pool, a pool to share, or `false`. */
  pool?: PoolOptions | Pool | false | undefined;
  /** Rate limiter (`@x/rate-limit`): options, a limiter to share, or `false`. */
  rateLimit?: ProviderRateLimitOptions | RateLimiter | false | undefined;
  /**
   * The most calls in flight at once (chat, generate, embeddings; a stream holds its slot until
   * it ends). A number gets a limiter of the provider's own: a FIFO queue of at most 1000
   * callers, each waiting up to 60 s before `LocalLimitError`; a limiter from
   * `createConcurrencyLimiter()` (`@x/rate-limit`) sets another queue or is shared between
   * providers. Taken after the rate limit, so a call never holds a slot while it waits for a token.
   * @default undefined (no limit)
   */
  maxConcurrent?: number | ConcurrencyLimiter | false | undefined;
  /**
   * Takes pieces from the process-wide registries instead of creating private ones, so that
   * several providers pointed at one server share one quota and one outage state without passing
   * instances around. A name shares the breaker, the rate limiter and (with `maxConcurrent` a
   * number) the concurrency limiter; an object names each piece, the cache included. Providers
   * asking for one name must ask with equal options (a `RangeError` otherwise). A piece given as
   * an instance is used as given; a shared piece is never closed by `close()`. A name is a label
   * that shows in logs and events: never derive it from a key (one holding the configured key is
   * a `TypeError`).
   * @default undefined (private pieces)
   */
  share?: string | ShareOptions | undefined;
  /** Circuit breaker (`@x/breaker`): options, a breaker to share, or `false`. */
  breaker?: BreakerOptions | Breaker | false | undefined;
  /** Retry options, a policy from `createRetryPolicy()` to share its budget, or `false`. */
  retry?: RetryOptions | RetryPolicy | false | undefined;
  /** Response cache (`@x/cache`): options, a cache to share, or `false`. */
  cache?: CacheOptions | Cache | false | undefined;
  /** Token accounting (`@x/tokens`): options, a calibrator to share, or `false`. */
  tokens?: TokenOptions | Calibrator | false | undefined;
  /** Deadlines, or `false` for none at all. */
  timeouts?: TimeoutOptions | false | undefined;
  /**
   * Longest line of a streamed answer, and longest buffered answer, in bytes.
   * @default 16 * 1024 * 1024
   */
  maxLineBytes?: number | undefined;
  /**
   * Most bytes one streamed answer may take, all its lines together: past it the call ends with a
   * stream error (`too-large`) carrying what arrived. About 200,000 tokens of Ollama's NDJSON.
   * @default 32 * 1024 * 1024
   */
  maxAnswerBytes?: number | undefined;
  /**
   * HTTP client with undici `request` semantics; replaces the pool. For tests. What it throws
   * ends the attempt in the provider's connection error (what its body fails with, in its
   * incomplete-stream error), holding a scrubbed copy of it as `cause`, never the thrown object:
   * HTTP clients hang the request, credentials included, on their errors.
   */
  transport?: Transport | undefined;
  /**
   * This provider's name in metrics (the `provider` label), logs, audit events and spans: tells
   * two providers of one kind apart (an Ollama per GPU). A label of 1 to 200 printable
   * characters (an empty one is a `RangeError`); one that holds a credential (a URL with a password, an `sk-...` key, `Bearer
   * ...`) is a `RangeError`, as for `share`; one holding the configured key is a `TypeError`, as
   * for `share`, `breaker.name`, `cache.namespace` and `rateLimit.key`.
   * @default the provider's id (`'ollama'`)
   */
  name?: string | undefined;
  /**
   * Structured logs (pino, `console`, or any object with `debug`/`info`/`warn`/`error`): one
   * entry per retry, failure, breaker transition, truncation, context raise and audit event, as
   * `logger.warn({ package, provider, event, model, code, ... }, message)`. Never a secret.
   * @default undefined (silent)
   */
  logger?: Logger | undefined;
  /**
   * OpenTelemetry (through the optional peer dependency `@opentelemetry/api`): a span per call
   * and the GenAI client metrics. `false` turns it off (nothing is loaded); providers given here
   * replace the globally registered ones.
   * @default {} (the global providers, when `@opentelemetry/api` is installed)
   */
  telemetry?: TelemetryOptions | false | undefined;
}

/** The keys of {@link CoreOptions}, for a provider's unknown-key check. */
export const CORE_OPTION_KEYS: readonly (keyof CoreOptions)[] = [
  'headers',
  'apiKey',
  'getApiKey',
  'pool',
  'rateLimit',
  'maxConcurrent',
  'share',
  'breaker',
  'retry',
  'cache',
  'tokens',
  'timeouts',
  'maxLineBytes',
  'maxAnswerBytes',
  'transport',
  'name',
  'logger',
  'telemetry',
];

/**
 * The names other clients give a provider option (ollama-js `host`, the openai client's
 * `maxRetries`, `timeout`, `fetch`), for the unknown-key error to name ours: edit distance alone
 * does not lead from `maxRetries` to `retry`.
 */
export const CORE_OPTION_ALIASES: Readonly<Record<string, string>> = {
  host: 'baseUrl',
  url: 'baseUrl',
  endpoint: 'baseUrl',
  retries: 'retry',
  maxRetries: 'retry',
  timeout: 'timeouts',
  timeoutMs: 'timeouts',
  fetch: 'transport',
  dispatcher: 'pool',
  agent: 'pool',
  httpAgent: 'pool',
  limiter: 'rateLimit',
  rateLimiter: 'rateLimit',
  circuitBreaker: 'breaker',
  key: 'apiKey',
  token: 'apiKey',
};
