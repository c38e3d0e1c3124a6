import type { Breaker, BreakerOptions } from '@x/breaker';
import type { Cache, CacheOptions } from '@x/cache';
import { expectLogger, fail, optionalFunction, optionalNumber, PackageLog } from '@x/internal';
import type { Pool, PoolOptions } from '@x/pool';
import { type ConcurrencyLimiter, type RateLimiter, sharedConcurrencyLimiter } from '@x/rate-limit';
import type { Calibrator, Provider as TokensProvider } from '@x/tokens';
import type { Agent } from 'undici';
import { type ResolvedConcurrency, resolveConcurrency } from './compose/concurrency';
import {
  type PieceDefaults,
  type ProviderRateLimitOptions,
  type ResolvedRateLimit,
  resolveBreaker,
  resolveCache,
  resolvePool,
  resolveRateLimit,
  resolveTokens,
  type TokenOptions,
} from './compose/pieces';
import { resolveShare, type ShareOptions } from './compose/share';
import { judging } from './compose/shared-breaker';
import {
  type AuthHeaders,
  type CredentialSource,
  Credentials,
  type GetApiKey,
} from './credentials';
import type { ErrorKit } from './errors';
import type { ExchangeObserver, HttpErrorMapper } from './http/failures';
import { resolveTransport, type Transport } from './http/transport';
import { Audit } from './observe/audit';
import { createProviderTopics, type ProviderTopics } from './observe/events';
import { type Logger, logEvents } from './observe/log';
import { StatsRecorder } from './observe/stats';
import {
  createTelemetry,
  resolveTelemetryOption,
  type Telemetry,
  type TelemetryOptions,
} from './observe/telemetry';
import {
  type ResolvedTimeouts,
  type RetryOptions,
  resolveTimeouts,
  SECRET_HEADER,
  type TimeoutOptions,
  validateHeaders,
} from './options';
import { type RetryPolicy, retryParts } from './retry-policy';
import { Redactor } from './secrets';
import { CacheStage } from './stages/cache';
import { type ContextPlanner, ContextStage } from './stages/context';
import type { RetryContext } from './stages/retry';
import { UsageStage } from './stages/usage';

/** The options every provider built on the core accepts (each adds its own). */
export interface CoreOptions {
  /** Extra headers sent with every request. Never copied into errors, events or stats. */
  headers?: Record<string, string> | undefined;
  /** The API key, sent the way the provider's API expects it. */
  apiKey?: string | undefined;
  /** Called before each request for a fresh key; wins over `apiKey`. */
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
   * that shows in logs and events: never derive it from a key.
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
  /** HTTP client with undici `request` semantics; replaces the pool. For tests. */
  transport?: Transport | undefined;
  /**
   * This provider's name in metrics (the `provider` label), logs, audit events and spans: tells
   * two providers of one kind apart (an Ollama per GPU).
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

/** Who the provider is. */
export interface ProviderIdentity {
  /** Lower-case id (`ollama`): error codes, the limiter key, the cache namespace. */
  id: string;
  /** Name in messages (`Ollama`). */
  label: string;
  /** Package name without scope (`provider-ollama`): `x:<pkg>:<event>` channels, `x_<pkg>_` metrics. */
  pkg: string;
  /** How `@x/tokens` estimates this provider's prompts. */
  tokens: TokensProvider;
}

/** What a provider hands the core to build its request path. */
export interface CoreConfig {
  identity: ProviderIdentity;
  /** The base URL, already normalised by the provider (no trailing slash, no credentials). */
  baseUrl: string;
  options: CoreOptions;
  kit: ErrorKit;
  httpError: HttpErrorMapper;
  /** How the key is sent. */
  auth: AuthHeaders;
  /** A local server charges nothing per token (an unknown price is 0, not unknown). */
  local: boolean;
  /** The provider's rate preset and breaker preset. */
  defaults: Omit<PieceDefaults, 'id'>;
  /** Keys of `tokens` the provider adds and checks itself. */
  tokenKeys?: readonly string[] | undefined;
  /** Where context windows come from; without one, prompts are not checked against a window. */
  planner?: ContextPlanner<any> | undefined;
  /** How many prompt tokens the server keeps when it silently cuts a prompt (Ollama: half + 2). */
  truncationKeeps?: ((window: number) => number) | undefined;
  /** Keeps an answer out of a cache the provider creates (`false`), or sets its TTL. */
  cacheTtl?: ((request: object, value: unknown) => number | undefined | false) | undefined;
  /**
   * Watches every HTTP exchange: called as an attempt is sent, and what it returns receives the
   * answer's status and headers (to learn rate limits from them, say). Never fails a call.
   */
  onExchange?: ExchangeObserver | undefined;
  /** The environment variable `options.apiKey` was read from, if the provider read it there. */
  apiKeyEnv?: string | undefined;
}

/** Everything one provider's calls share, resolved once at construction. */
export interface Runtime {
  readonly identity: ProviderIdentity;
  readonly kit: ErrorKit;
  readonly httpError: HttpErrorMapper;
  readonly baseUrl: string;
  readonly origin: string;
  readonly timeouts: ResolvedTimeouts;
  readonly maxBytes: number;
  readonly maxAnswerBytes: number;
  readonly transport: Transport;
  readonly agent: Agent | undefined;
  readonly pool: Pool | undefined;
  readonly ownPool: boolean;
  readonly breaker: Breaker | undefined;
  readonly limit: ResolvedRateLimit | undefined;
  readonly concurrency: ResolvedConcurrency | undefined;
  readonly cache: CacheStage;
  readonly context: ContextStage<any>;
  readonly usage: UsageStage<any>;
  readonly credentials: Credentials;
  readonly redactor: Redactor;
  readonly retry: RetryContext;
  readonly stats: StatsRecorder;
  readonly topics: ProviderTopics;
  readonly observe: ExchangeObserver | undefined;
  /** The `name` option: the `provider` label of metrics, logs and audit events. */
  readonly name: string;
  readonly audit: Audit;
  readonly log: PackageLog;
  readonly telemetry: Telemetry | undefined;
  closed: boolean;
}

/** The cache TTL of a provider that keeps nothing out: one function, so shared caches compare equal. */
function noTtl(): undefined {
  return undefined;
}

/** Builds the runtime: validates the shared options and composes the pieces. */
export function createRuntime(config: CoreConfig): Runtime {
  const { options, identity } = config;
  const logger = expectLogger('logger', options.logger);
  // The provider's logger also goes to the pieces it creates (not to shared or passed-in ones).
  const defaults: PieceDefaults = { ...config.defaults, id: identity.id, logger };
  const headers = validateHeaders(options.headers);
  if (
    options.apiKey !== undefined &&
    (typeof options.apiKey !== 'string' || options.apiKey === '' || /[\r\n]/.test(options.apiKey))
  ) {
    // Never shown: a key is a secret even when it is malformed.
    fail('apiKey', 'a non-empty string without CR or LF', '[redacted]');
  }
  optionalFunction('getApiKey', options.getApiKey);
  optionalNumber('maxLineBytes', options.maxLineBytes, { min: 1024, integer: true });
  optionalNumber('maxAnswerBytes', options.maxAnswerBytes, { min: 1024, integer: true });
  if (options.name !== undefined && (typeof options.name !== 'string' || options.name === '')) {
    fail('name', 'a non-empty string', options.name);
  }
  const name = options.name ?? identity.id;
  const telemetryOption = resolveTelemetryOption(options.telemetry);
  const topics = createProviderTopics(identity.pkg);
  const audit = new Audit(topics.audit, name);
  const redactor = new Redactor((endpoint, occurrences) =>
    audit.emit({ type: 'secret-scrubbed', endpoint, occurrences }),
  );
  if (options.apiKey !== undefined) redactor.add(options.apiKey);
  for (const [name, value] of Object.entries(headers)) {
    // Gateways name their key header freely: `apikey` (Kong), `x-api-key`, `api_key`,
    // `ocp-apim-subscription-key`, `x-auth-token`...
    if (SECRET_HEADER.test(name)) redactor.add(value);
  }
  const timeouts = resolveTimeouts(options.timeouts);
  const retry = retryParts(options.retry);
  const tokens = resolveTokens(options.tokens, config.tokenKeys);
  const share = resolveShare(options.share);
  const limit = resolveRateLimit(options.rateLimit, defaults, share.rateLimit);
  const slots = share.maxConcurrent;
  const concurrency =
    slots === undefined
      ? resolveConcurrency(options.maxConcurrent)
      : resolveConcurrency(options.maxConcurrent, (o) => sharedConcurrencyLimiter(slots, o), false);
  const origin = new URL(config.baseUrl).origin;
  const { breaker, judge } = resolveBreaker(options.breaker, defaults, origin, share.breaker);
  // A shared breaker has one classify: this provider records its own verdicts on its errors.
  const { kit, httpError } =
    judge === undefined
      ? { kit: config.kit, httpError: config.httpError }
      : judging(config.kit, config.httpError, judge);
  const cache = resolveCache(options.cache, defaults, config.cacheTtl ?? noTtl, share.cache).cache;
  let pool: Pool | undefined;
  let ownPool = false;
  if (options.transport !== undefined) {
    optionalFunction('transport', options.transport);
    if (options.pool !== undefined && options.pool !== false) {
      fail('pool', 'unset or false when `transport` is given', '[pool]');
    }
  } else {
    ({ pool, own: ownPool } = resolvePool(options.pool, timeouts.connectMs, logger));
  }
  const { transport, agent } = resolveTransport({
    transport: options.transport,
    pool,
    origin,
    connectTimeoutMs: timeouts.connectMs,
  });
  const stats = new StatsRecorder();
  const log = new PackageLog(identity.pkg, logger, { provider: name }, redactor.redactQuietly);
  logEvents(log, topics);
  const runtime: Runtime = {
    identity,
    kit,
    httpError: (failure) => {
      if (failure.statusCode === 401 || failure.statusCode === 403) {
        const { endpoint, statusCode: status, model } = failure;
        audit.emit({ type: 'auth-rejected', endpoint, status, model });
      }
      return httpError(failure);
    },
    baseUrl: config.baseUrl,
    origin,
    timeouts,
    maxBytes: options.maxLineBytes ?? 16 * 1024 * 1024,
    maxAnswerBytes: options.maxAnswerBytes ?? 32 * 1024 * 1024,
    transport,
    agent,
    pool,
    ownPool,
    breaker,
    limit,
    concurrency,
    cache: new CacheStage(cache, stats, topics),
    context: new ContextStage<any>({
      tokens,
      provider: identity.tokens,
      planner: config.planner,
      kit,
      stats,
      topics,
    }),
    usage: new UsageStage<any>({
      tokens,
      provider: identity.tokens,
      limit,
      stats,
      topics,
      local: config.local,
      keeps: config.truncationKeeps,
    }),
    credentials: new Credentials({
      headers,
      apiKey: options.apiKey,
      getApiKey: options.getApiKey,
      auth: config.auth,
      redactor,
      source: credentialSource(options.apiKey, config.apiKeyEnv, headers),
      onFetched: (source, outcome) =>
        audit.emit({
          type: 'credential-fetched',
          source,
          outcome,
          variable: source === 'env' ? config.apiKeyEnv : undefined,
        }),
    }),
    redactor,
    retry: {
      options: retry.options,
      budget: retry.budget,
      stats,
      topics,
      redact: redactor.redact,
      closed: () => runtime.closed,
      kit,
    },
    stats,
    topics,
    observe: config.onExchange,
    name,
    audit,
    log,
    telemetry: createTelemetry(telemetryOption, {
      id: identity.id,
      name,
      origin,
      redact: redactor.redactQuietly,
    }),
    closed: false,
  };
  return runtime;
}

/** Where the fixed credential comes from, for the audit trail (none without one). */
function credentialSource(
  apiKey: string | undefined,
  env: string | undefined,
  headers: Record<string, string>,
): CredentialSource | undefined {
  if (apiKey !== undefined) return env === undefined ? 'apiKey' : 'env';
  return Object.keys(headers).some((header) => SECRET_HEADER.test(header)) ? 'headers' : undefined;
}
