import type { Breaker } from '@x/breaker';
import {
  expectLogger,
  expectSharedName,
  expectUrlText,
  fail,
  failSecret,
  optionalFunction,
  optionalNumber,
  PackageLog,
} from '@x/internal';
import type { Pool } from '@x/pool';
import { sharedConcurrencyLimiter } from '@x/rate-limit';
import type { Provider as TokensProvider } from '@x/tokens';
import type { Agent } from 'undici';
import { type ResolvedConcurrency, resolveConcurrency } from './compose/concurrency';
import {
  type PieceDefaults,
  type ResolvedRateLimit,
  resolveBreaker,
  resolveCache,
  resolvePool,
  resolveRateLimit,
  resolveTokens,
} from './compose/pieces';
import { resolveShare } from './compose/share';
import { judging } from './compose/shared-breaker';
import type { CoreOptions } from './core-options';
import { type AuthHeaders, type CredentialSource, Credentials } from './credentials';
import type { ErrorKit } from './error-kit';
import type { ExchangeObserver, HttpErrorMapper } from './http/failures';
import { resolveTransport, type Transport } from './http/transport';
import { LightSignal } from './light-signal';
import { Audit } from './observe/audit';
import { createProviderTopics, type ProviderTopics } from './observe/events';
import { logEvents } from './observe/log';
import { StatsRecorder } from './observe/stats';
import type { Telemetry } from './observe/telemetry';
import { createTelemetry, resolveTelemetryOption } from './observe/telemetry-option';
import {
  FIELD_CHARACTERS,
  HEADER_LIMIT_REASON,
  headerChars,
  isFieldValue,
  MAX_HEADER_CHARS,
  type ResolvedTimeouts,
  resolveTimeouts,
  SECRET_HEADER,
  validateHeaders,
} from './options';
import { retryParts } from './retry-policy';
import { refuseSecretLabels } from './secret-labels';
import { Redactor } from './secrets';
import { type BreakerLike, type Gate, givenBreakerGate } from './stages/breaker-gate';
import { sharingGate, watchLastFailure } from './stages/breaker-last-failure';
import { CacheStage } from './stages/cache';
import { type ContextPlanner, ContextStage } from './stages/context';
import { queueWaits } from './stages/queue-wait';
import type { RetryContext } from './stages/retry';
import { UsageStage } from './stages/usage';

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
  /**
   * Where context windows come from; without one, prompts are not checked against a window. Its
   * `requested()` gets the requests of the provider's own operations: a planner typed for them
   * (`ContextPlanner<ChatRequest>`) fits, as a method's parameter is compared both ways.
   */
  planner?: ContextPlanner<unknown> | undefined;
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
export interface Runtime extends Gate {
  readonly identity: ProviderIdentity;
  readonly kit: ErrorKit;
  readonly httpError: HttpErrorMapper;
  readonly baseUrl: string;
  readonly origin: string;
  /**
   * The base URL's path on its origin (`''` for an origin alone, `'/v1'`): a built-in transport's
   * request path is this and the endpoint, where reading it back out of the full URL on every
   * attempt cost a scan of a freshly joined string.
   */
  readonly basePath: string;
  readonly timeouts: ResolvedTimeouts;
  readonly maxBytes: number;
  readonly maxAnswerBytes: number;
  readonly transport: Transport;
  readonly agent: Agent | undefined;
  readonly pool: Pool | undefined;
  readonly ownPool: boolean;
  readonly breaker: Breaker | undefined;
  /** The breaker as calls run through it (a given one is told of `destroy()`: `givenBreakerGate`). */
  readonly gate: BreakerLike | undefined;
  readonly scrubsPartials: boolean;
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
  /**
   * Aborted by `close()` and `destroy()` with the closed error: ends the retry backoffs waiting
   * then, with their timers, and the waits queued in a limiter the provider did not create
   * (`queueSignal`).
   */
  readonly closing: LightSignal;
  /**
   * Aborted by `destroy()` with the closed error. Every call runs under a signal that follows it
   * (`beginCall`, `joinEnding`), and every attempt under one that follows the call's
   * (`AttemptSignal`): each call in flight ends at once, wherever it waits, leaving its queue,
   * its socket and its deadlines.
   */
  readonly ending: LightSignal;
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
  // Each provider checks its option as written (`expectUrlText`) before parsing it, since the URL
  // parser drops a newline or a tab silently; this holds for any provider built on the core.
  expectUrlText('baseUrl', config.baseUrl);
  if (
    options.apiKey !== undefined &&
    (typeof options.apiKey !== 'string' || options.apiKey === '' || !isFieldValue(options.apiKey))
  ) {
    // Never shown: a key is a secret even when it is malformed. A string (empty, or holding a
    // character no header may) is the right type with a wrong value: a `RangeError`.
    failSecret(
      'apiKey',
      `a non-empty string of ${FIELD_CHARACTERS}`,
      options.apiKey,
      typeof options.apiKey === 'string',
    );
  }
  // The key goes out with `headers` on every request: together they must fit the bound.
  if (
    typeof options.apiKey === 'string' &&
    options.apiKey.length > MAX_HEADER_CHARS - headerChars(headers)
  ) {
    const what = `at most ${MAX_HEADER_CHARS} characters with the names and values of \`headers\` (${HEADER_LIMIT_REASON})`;
    failSecret('apiKey', what, options.apiKey, true);
  }
  if (options.getApiKey !== undefined && typeof options.getApiKey !== 'function') {
    // Never shown either: what lands here instead of a function is most often the key itself.
    failSecret('getApiKey', 'a function returning the key', options.getApiKey);
  }
  optionalNumber('maxLineBytes', options.maxLineBytes, { min: 1024, integer: true });
  optionalNumber('maxAnswerBytes', options.maxAnswerBytes, { min: 1024, integer: true });
  if (options.name !== undefined) {
    // An empty one is the right type with a wrong value: a `RangeError`, as `expectSharedName`
    // gives every other label it refuses.
    if (typeof options.name !== 'string' || options.name === '') {
      fail('name', 'a non-empty string', options.name, options.name === '');
    }
  }
  const name = options.name ?? identity.id;
  const telemetryOption = resolveTelemetryOption(options.telemetry);
  const topics = createProviderTopics(identity.pkg, name);
  const audit = new Audit(topics.audit, name);
  const redactor = new Redactor((endpoint, occurrences) =>
    audit.emit({ type: 'secret-scrubbed', endpoint, occurrences }),
  );
  if (options.apiKey !== undefined) redactor.add(options.apiKey);
  for (const [name, value] of Object.entries(headers)) {
    // Gateways name their key header freely: `apikey` (Kong), `x-api-key`, `api_key`,
    // `ocp-apim-subscription-key`, `x-auth-token`... The pattern is wide, so a value under such a
    // name may be no credential (`x-session-sticky: true`): it is scrubbed all the same, as a
    // short key is (a server's `true` then reads `[redacted]`), since nothing tells which it is.
    // One too short to scrub was refused (`validateHeaders`).
    if (SECRET_HEADER.test(name) && value.trim() !== '') redactor.add(value);
  }
  // ... and no label is the key itself, whatever its shape: before any label's own check, which
  // shows a value it refuses (a key in UTF-16, a NUL after each character, is no printable label).
  refuseSecretLabels(options, redactor);
  // The `provider` label of every metric, log line and audit event: checked as `share` and
  // `breaker.name` are, so a key pasted into the wrong option is refused, never published.
  if (options.name !== undefined) expectSharedName(options.name, 'name');
  const timeouts = resolveTimeouts(options.timeouts);
  const retry = retryParts(options.retry);
  const tokens = resolveTokens(options.tokens, config.tokenKeys);
  const share = resolveShare(options.share);
  const ending = new LightSignal();
  const closing = new LightSignal();
  const waitsFor = (own: boolean) => queueWaits(own, ending, closing);
  const limit = resolveRateLimit(options.rateLimit, defaults, share.rateLimit, waitsFor);
  const slots = share.maxConcurrent;
  const concurrency =
    slots === undefined
      ? resolveConcurrency(options.maxConcurrent)
      : resolveConcurrency(options.maxConcurrent, (o) => sharedConcurrencyLimiter(slots, o), false);
  if (concurrency !== undefined) {
    const waits = waitsFor(concurrency.own);
    concurrency.waits = waits;
    concurrency.endingOptions = Object.freeze({ signal: waits.idle });
  }
  const origin = new URL(config.baseUrl).origin;
  const resolved = resolveBreaker(options.breaker, defaults, origin, share.breaker);
  const { breaker, judge } = resolved;
  // For its refusals to name the failure that opened it (`CircuitOpenError.lastFailure`).
  if (breaker !== undefined) watchLastFailure(breaker);
  const told =
    resolved.given === true && breaker !== undefined
      ? givenBreakerGate(breaker, ending.toAbortSignal())
      : breaker;
  // On a breaker others share, its refusals name the provider whose call failed (`sharingGate`).
  const gated = told === undefined || resolved.own ? told : sharingGate(told, name);
  // Without a key there is nothing a partial answer could echo: no scrubbing hop per call.
  const scrubsPartials =
    gated !== undefined && (redactor.knowsSecrets || options.getApiKey !== undefined);
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
    basePath: basePathOf(config.baseUrl),
    timeouts,
    maxBytes: options.maxLineBytes ?? 16 * 1024 * 1024,
    maxAnswerBytes: options.maxAnswerBytes ?? 32 * 1024 * 1024,
    transport,
    agent,
    pool,
    ownPool,
    breaker,
    gate: gated,
    scrubsPartials,
    limit,
    concurrency,
    cache: new CacheStage(cache, stats, topics, ending, closing, timeouts.firstTokenMs, redactor),
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
      kit,
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
      closing: closing.toAbortSignal(),
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
    closing,
    ending,
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

/** The path of a base URL without its trailing slashes: `''` for `http://127.0.0.1:11434`. */
export function basePathOf(baseUrl: string): string {
  return new URL(baseUrl).pathname.replace(/\/+$/, '');
}
