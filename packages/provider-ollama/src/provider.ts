import type { Breaker, BreakerOptions } from '@x/breaker';
import type { Cache, CacheOptions } from '@x/cache';
import type { Pool, PoolOptions } from '@x/pool';
import type { RateLimiter } from '@x/rate-limit';
import {
  type Calibrator,
  estimateCost,
  estimateTokens,
  type ChatMessage as TokensChatMessage,
} from '@x/tokens';
import { Agent, request as undiciRequest } from 'undici';
import {
  ContextOverflowError,
  IncompleteStreamError,
  isIncompleteStreamError,
  isModelNotFoundError,
  isOllamaError,
  isOllamaTimeoutError,
  OllamaStreamError,
  OllamaTimeoutError,
  type PartialResponse,
  ProviderClosedError,
} from './errors';
import { Events, type Listener } from './internal/events';
import {
  BodyTooLargeError,
  exchange,
  exchangeBuffered,
  type Transport,
  type TransportResponse,
} from './internal/exchange';
import { guarded } from './internal/guard';
import { parseLoadedModels, parseModelInfo, parseModelList } from './internal/models';
import { LineTooLongError, NdjsonDecoder } from './internal/ndjson';
import {
  type ProviderRateLimitOptions,
  type ResolvedRateLimit,
  type ResolvedTokens,
  resolveBreaker,
  resolveCache,
  resolvePool,
  resolveRateLimit,
  resolveTokens,
  type TokenOptions,
} from './internal/pieces';
import { renderPrometheus } from './internal/prometheus';
import { ChatAccumulator } from './internal/response';
import { backoffDelay, type RetryBudget, sleep } from './internal/retry';
import { type ProviderStats, StatsRecorder } from './internal/stats';
import { fail, isPlainObject, optionalFunction, optionalNumber } from './internal/validate';
import {
  requestedNumCtx,
  toChatBody,
  toEmbedBody,
  validateChatRequest,
  validateEmbedRequest,
} from './internal/wire';
import {
  normaliseBaseUrl,
  type ResolvedRetry,
  type ResolvedTimeouts,
  type RetryOptions,
  resolveTimeouts,
  type TimeoutOptions,
  validateHeaders,
} from './options';
import { type RetryPolicy, retryParts } from './retry-policy';
import type {
  ChatRequest,
  ChatResponse,
  EmbedRequest,
  EmbedResponse,
  HealthReport,
  LoadedModel,
  ModelInfo,
  ModelSummary,
  StreamChunk,
  ToolCall,
} from './types';

/** Options of {@link createOllamaProvider}. */
export interface OllamaProviderOptions {
  /**
   * Where Ollama listens. Accepts what `OLLAMA_HOST` accepts (`127.0.0.1:11434`, `0.0.0.0`,
   * `localhost`, `:11434`): without a scheme it is http on port 11434 unless a port is named;
   * with a scheme (`http://proxy`, `https://ollama.com`) that scheme's default port applies.
   * @default process.env.OLLAMA_HOST ?? 'http://localhost:11434'
   */
  baseUrl?: string;
  /** Extra headers sent with every request. Never copied into errors, events or stats. */
  headers?: Record<string, string>;
  /** Sent as `Authorization: Bearer <apiKey>` (an auth proxy, or ollama.com). */
  apiKey?: string;
  /** Called before each request for a fresh key; wins over `apiKey`. */
  getApiKey?: () => string | undefined | Promise<string | undefined>;
  /**
   * Connection pool (`@x/pool`): options for a private pool, a pool to share, or `false` for a
   * plain keep-alive undici Agent.
   * @default createPool({ headersTimeoutMs: 0, bodyTimeoutMs: 0, connectTimeoutMs: timeouts.connectMs })
   */
  pool?: PoolOptions | Pool | false;
  /**
   * Rate limiter (`@x/rate-limit`): options, a limiter to share (its `requests` and `tokens`
   * limits are charged), or `false`.
   * @default { requestsPerSecond: 10 } (rateLimitPresets.ollama)
   */
  rateLimit?: ProviderRateLimitOptions | RateLimiter | false;
  /**
   * Circuit breaker (`@x/breaker`): options, a breaker to share, or `false`.
   * @default { ...breakerPresets.ollama, classify: server trouble only }
   */
  breaker?: BreakerOptions | Breaker | false;
  /** Retry options, a policy from `createRetryPolicy()` to share its budget, or `false`. */
  retry?: RetryOptions | RetryPolicy | false;
  /**
   * Response cache (`@x/cache`): options, a cache to share, or `false`.
   * @default createCache({ namespace: 'ollama' }) (strategy 'selective')
   */
  cache?: CacheOptions | Cache | false;
  /**
   * Token accounting (`@x/tokens`): options, a calibrator to share, or `false` (no estimate, no
   * context check, no `num_ctx` chosen for you).
   */
  tokens?: TokenOptions | Calibrator | false;
  /** Deadlines, or `false` for none at all. */
  timeouts?: TimeoutOptions | false;
  /**
   * Longest NDJSON line (and non-streamed body) accepted, in bytes.
   * @default 16 * 1024 * 1024
   */
  maxLineBytes?: number;
  /**
   * HTTP client with undici `request` semantics; replaces the pool. For tests and custom
   * transports.
   * @default pool.request
   */
  transport?: Transport;
}

/** Result of {@link OllamaProvider.initialize}. */
export interface InitializeResult {
  version: string | undefined;
  models: ModelSummary[];
}

/** What the tokens step decided for one request. */
interface Prepared {
  /** `num_ctx` to add to the body (undefined: the request set its own, or tokens are off). */
  numCtx: number | undefined;
  /** The window the request runs with, when known. */
  window: number | undefined;
  estimate: number | undefined;
  /** Tokens charged to the rate limiter. */
  charged: number | undefined;
  queueWaitMs: number | undefined;
}

/** What the cache holds for one chat request. */
interface CachedAnswer {
  response: ChatResponse;
  /** Recorded stream chunks (absent when the answer came from `complete`). */
  chunks?: Array<{ c: string; t?: string; tc?: ToolCall[] }>;
}

const DEFAULT_BASE_URL = 'http://localhost:11434';
const DEFAULT_NUM_CTX = 4096;

const now = (): number => performance.now();

/**
 * An Ollama client with a connection pool, rate limiting, a circuit breaker, retries, a response
 * cache, token accounting, deadlines, typed errors, statistics and events, all on by default.
 *
 * @example
 * const ollama = createOllamaProvider();
 * await ollama.initialize();
 * const answer = await ollama.complete({ model: 'llama3.2', messages: [{ role: 'user', content: 'Hi' }] });
 * console.log(answer.content);
 */
export class OllamaProvider {
  /** The normalised base URL. */
  readonly baseUrl: string;
  readonly #origin: string;
  readonly #local: boolean;
  readonly #headers: Record<string, string>;
  readonly #apiKey: string | undefined;
  readonly #getApiKey: (() => string | undefined | Promise<string | undefined>) | undefined;
  readonly #secrets = new Set<string>();
  /** The last keys `getApiKey()` returned (bounded: a key per request must not grow memory). */
  readonly #recentKeys: string[] = [];
  readonly #timeouts: ResolvedTimeouts;
  readonly #retry: ResolvedRetry;
  readonly #budget: RetryBudget | undefined;
  readonly #maxLineBytes: number;
  readonly #transport: Transport;
  readonly #agent: Agent | undefined;
  readonly #pool: Pool | undefined;
  readonly #ownPool: boolean;
  readonly #breaker: Breaker | undefined;
  readonly #rateLimit: ResolvedRateLimit | undefined;
  readonly #cache: Cache | undefined;
  readonly #tokens: ResolvedTokens | undefined;
  readonly #events = new Events();
  readonly #stats = new StatsRecorder();
  readonly #modelInfo = new Map<string, Promise<ModelInfo>>();
  /** `num_ctx` per model, fixed at first use (and only ever raised) so Ollama never reloads. */
  readonly #numCtx = new Map<string, number>();
  readonly #unsubscribe: Array<() => void> = [];
  #closed = false;
  #models: ModelSummary[] | undefined;

  constructor(options: OllamaProviderOptions = {}) {
    if (!isPlainObject(options) && !(typeof options === 'object' && options !== null)) {
      fail('options', 'an object', options);
    }
    // An OLLAMA_HOST of only spaces or quotes is unset, as for Ollama's own client.
    const envHost = process.env.OLLAMA_HOST?.replace(/["'\s]/g, '') ? process.env.OLLAMA_HOST : '';
    const rawBase = options.baseUrl ?? (envHost ? envHost : DEFAULT_BASE_URL);
    if (typeof rawBase !== 'string') fail('baseUrl', 'a URL string', rawBase);
    this.baseUrl = normaliseBaseUrl(
      rawBase,
      options.baseUrl !== undefined ? 'baseUrl' : 'OLLAMA_HOST',
    );
    const url = new URL(this.baseUrl);
    this.#origin = url.origin;
    this.#local = !/(^|\.)ollama\.com$/i.test(url.hostname);
    this.#headers = validateHeaders(options.headers);
    if (
      options.apiKey !== undefined &&
      (typeof options.apiKey !== 'string' || options.apiKey === '')
    ) {
      fail('apiKey', 'a non-empty string', typeof options.apiKey === 'string' ? '' : '[redacted]');
    }
    optionalFunction('getApiKey', options.getApiKey);
    this.#apiKey = options.apiKey;
    this.#getApiKey = options.getApiKey;
    if (this.#apiKey !== undefined) this.#secrets.add(this.#apiKey);
    for (const [key, value] of Object.entries(this.#headers)) {
      // Gateways name their key header freely: `apikey` (Kong), `x-api-key`, `api_key`,
      // `ocp-apim-subscription-key`, `x-auth-token`...
      if (/auth|key|token|secret|cookie|session|password/i.test(key)) this.#secrets.add(value);
    }
    this.#timeouts = resolveTimeouts(options.timeouts);
    const retry = retryParts(options.retry);
    this.#retry = retry.options;
    this.#budget = retry.budget;
    optionalNumber('maxLineBytes', options.maxLineBytes, 1024, Number.POSITIVE_INFINITY, true);
    this.#maxLineBytes = options.maxLineBytes ?? 16 * 1024 * 1024;
    this.#tokens = resolveTokens(options.tokens);
    this.#rateLimit = resolveRateLimit(options.rateLimit);
    const breaker = resolveBreaker(options.breaker, this.#origin);
    this.#breaker = breaker.breaker;
    this.#cache = resolveCache(options.cache, (_request, value) =>
      (value as CachedAnswer | undefined)?.response?.truncated ? false : undefined,
    ).cache;

    if (options.transport !== undefined) {
      optionalFunction('transport', options.transport);
      this.#transport = options.transport;
      this.#ownPool = false;
      if (options.pool !== undefined && options.pool !== false) {
        fail('pool', 'unset or false when `transport` is given', '[pool]');
      }
    } else {
      const { pool, own } = resolvePool(options.pool, this.#timeouts.connectMs);
      this.#pool = pool;
      this.#ownPool = own;
      if (pool !== undefined) {
        // Straight to the pool's dispatcher (the pool itself: its caps, keep-alive and DNS
        // cache): every URL here is this origin, so the per-call URL parsing of pool.request()
        // can be skipped.
        const dispatcher = pool.dispatcher;
        const origin = this.#origin;
        this.#transport = (target, init) =>
          dispatcher.request({
            ...init,
            origin,
            path: target.startsWith(origin)
              ? target.slice(origin.length) || '/'
              : new URL(target).pathname,
          }) as unknown as Promise<TransportResponse>;
      } else {
        const agent = new Agent({
          connections: 20,
          keepAliveTimeout: 300_000,
          headersTimeout: 0,
          bodyTimeout: 0,
          connect: { timeout: this.#timeouts.connectMs || undefined },
        });
        this.#agent = agent;
        this.#transport = (target, init) =>
          undiciRequest(target, {
            ...init,
            dispatcher: agent,
          }) as unknown as Promise<TransportResponse>;
      }
    }
    if (this.#breaker !== undefined) {
      this.#unsubscribe.push(
        this.#breaker.onStateChange((event) => {
          const map = this.#stats.breakerTransitions;
          map[event.to] = (map[event.to] ?? 0) + 1;
        }),
      );
    }
    this.#ownRateLimiter = this.#rateLimit?.own === true;
  }

  readonly #ownRateLimiter: boolean;

  /** Removes secrets from text that came from the outside (server messages). */
  readonly #redact = (text: string): string => {
    let out = text;
    for (const secret of this.#secrets) {
      if (secret.length > 0 && out.includes(secret)) out = out.split(secret).join('[redacted]');
    }
    for (const secret of this.#recentKeys) {
      if (secret.length > 0 && out.includes(secret)) out = out.split(secret).join('[redacted]');
    }
    return out.replace(/Bearer\s+[A-Za-z0-9._~+/=-]+/g, 'Bearer [redacted]');
  };

  /**
   * The redaction for one request: with `getApiKey`, also the very key that request carried (keys
   * handed out per request may be more than the recent ones remembered by {@link #redact}).
   */
  #redactFor(headers: Record<string, string>): (text: string) => string {
    if (this.#getApiKey === undefined) return this.#redact;
    const auth = headers.authorization;
    const key = auth?.startsWith('Bearer ') ? auth.slice(7) : undefined;
    if (key === undefined || key.length === 0) return this.#redact;
    return (text) => this.#redact(text.includes(key) ? text.split(key).join('[redacted]') : text);
  }

  /** Headers without a key callback are the same for every request: built once per accept. */
  readonly #staticHeaders = new Map<string, Record<string, string>>();

  #headersFor(accept: string): Record<string, string> | Promise<Record<string, string>> {
    if (this.#getApiKey !== undefined) return this.#requestHeaders(accept);
    let headers = this.#staticHeaders.get(accept);
    if (headers === undefined) {
      headers = { 'content-type': 'application/json', accept, ...this.#headers };
      if (this.#apiKey !== undefined) headers.authorization = `Bearer ${this.#apiKey}`;
      this.#staticHeaders.set(accept, headers);
    }
    return headers;
  }

  async #requestHeaders(accept: string): Promise<Record<string, string>> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept,
      ...this.#headers,
    };
    let key = this.#apiKey;
    if (this.#getApiKey !== undefined) {
      const fresh = await this.#getApiKey();
      if (fresh !== undefined && typeof fresh !== 'string') {
        throw new TypeError(
          `Expected \`getApiKey()\` to return a string or undefined, got ${typeof fresh}`,
        );
      }
      if (fresh) {
        if (!this.#recentKeys.includes(fresh)) {
          this.#recentKeys.push(fresh);
          if (this.#recentKeys.length > 8) this.#recentKeys.shift();
        }
        key = fresh;
      }
    }
    if (key !== undefined) headers.authorization = `Bearer ${key}`;
    return headers;
  }

  /**
   * Parses a whole JSON answer. Something that is not JSON (another service on that port, a proxy's
   * HTML page) is the typed {@link OllamaStreamError} `invalid-json`, as for a chat answer, not a
   * bare SyntaxError (whose message would quote the body unredacted).
   */
  #json(text: string, endpoint: string): unknown {
    try {
      return JSON.parse(text);
    } catch {
      throw new OllamaStreamError({
        reason: 'invalid-json',
        message: `Ollama's ${endpoint} answer is not JSON: ${this.#redact(text.trim()).slice(0, 80)}`,
        partial: { content: '', thinking: '', toolCalls: [], chunks: 0 },
      });
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new ProviderClosedError();
  }

  /** Starts the total deadline of one call, when configured. */
  #deadline(): { signal: AbortSignal | undefined; clear: () => void } {
    const totalMs = this.#timeouts.totalMs;
    if (totalMs === undefined) return NO_DEADLINE;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      controller.abort(
        new OllamaTimeoutError({ timeout: 'total', timeoutMs: totalMs, retryable: false }),
      );
    }, totalMs);
    timer.unref?.();
    return { signal: controller.signal, clear: () => clearTimeout(timer) };
  }

  /** Delay before the next attempt, or undefined when the error must be thrown. */
  #retryDelay(error: unknown, retry: number): number | undefined {
    if (retry >= this.#retry.retries) return undefined;
    if (!isOllamaError(error) || !error.retryable) return undefined;
    const retryAfterMs = (error as { retryAfterMs?: number }).retryAfterMs;
    if (retryAfterMs !== undefined && retryAfterMs > this.#retry.maxRetryAfterMs) return undefined;
    if (this.#budget !== undefined && !this.#budget.tryWithdraw()) {
      this.#stats.retriesDeniedByBudget++;
      return undefined;
    }
    return (
      retryAfterMs ??
      backoffDelay(retry, this.#retry.baseDelayMs, this.#retry.maxDelayMs, this.#retry.random)
    );
  }

  /** Waits before a retry; false when the error must be thrown instead. */
  async #backoff(
    error: unknown,
    retry: number,
    endpoint: string,
    model: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<boolean> {
    if (signal?.aborted) throw signal.reason;
    const delay = this.#retryDelay(error, retry);
    if (delay === undefined) return false;
    this.#stats.retries++;
    if (this.#events.wanted('retry')) {
      this.#events.emit('retry', {
        endpoint,
        model,
        attempt: retry + 2,
        delayMs: delay,
        code: (error as { code?: string }).code,
        message: this.#redact((error as Error).message),
      } satisfies RetryEvent);
    }
    await sleep(delay, signal);
    return true;
  }

  #exchange(
    endpoint: string,
    method: 'GET' | 'POST' | 'HEAD',
    headers: Record<string, string>,
    body: string | undefined,
    model: string | undefined,
    stream: boolean,
    signal: AbortSignal | undefined,
  ): AsyncGenerator<Uint8Array, void, undefined> {
    return guarded(this.#breaker, signal, (breakerSignal) =>
      exchange({
        transport: this.#transport,
        url: this.baseUrl + endpoint,
        origin: this.#origin,
        endpoint,
        method,
        headers,
        body,
        model,
        stream,
        timeouts: this.#timeouts,
        signals: [signal, breakerSignal],
        redact: this.#redactFor(headers),
      }),
    );
  }

  /**
   * One buffered attempt through the breaker. The breaker's own signal is followed only for a
   * probe (it aborts a probe that outlives probeTimeoutMs); while closed the breaker hands out a
   * shared never-aborting signal that must not collect listeners.
   */
  #call(
    endpoint: string,
    method: 'GET' | 'POST',
    headers: Record<string, string>,
    body: string | undefined,
    model: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<Buffer> {
    const run = (breakerSignal: AbortSignal | undefined): Promise<Buffer> =>
      exchangeBuffered(
        {
          transport: this.#transport,
          url: this.baseUrl + endpoint,
          origin: this.#origin,
          endpoint,
          method,
          headers,
          body,
          model,
          stream: false,
          timeouts: this.#timeouts,
          signals: breakerSignal === undefined ? [signal] : [signal, breakerSignal],
          redact: this.#redactFor(headers),
        },
        this.#maxLineBytes,
      );
    const breaker = this.#breaker;
    if (breaker === undefined) return run(undefined);
    const probing = breaker.state !== 'closed';
    if (signal === undefined) return breaker.execute((s) => run(probing ? s : undefined));
    return breaker.execute((s) => run(probing && s !== signal ? s : undefined), { signal });
  }

  /** A buffered (non-streamed) exchange with retries, returning the whole body. */
  async #buffered(
    endpoint: string,
    method: 'GET' | 'POST',
    payload: unknown,
    model: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<{ text: string; attempts: number }> {
    const headers = await this.#headersFor('application/json');
    const body = payload === undefined ? undefined : JSON.stringify(payload);
    for (let retry = 0; ; retry++) {
      this.#stats.attempts++;
      try {
        const buffer = await this.#call(endpoint, method, headers, body, model, signal).catch(
          (error) => {
            throw tooLarge(error, endpoint, {
              content: '',
              thinking: '',
              toolCalls: [],
              chunks: 0,
            });
          },
        );
        return { text: buffer.toString('utf8'), attempts: retry + 1 };
      } catch (error) {
        if (!(await this.#backoff(error, retry, endpoint, model, signal))) throw error;
      }
    }
  }

  /**
   * Checks the server and learns its models (`/api/version`, `/api/tags`). Retries while the
   * server starts (connection refused).
   * @throws {OllamaConnectionError} when the server cannot be reached.
   */
  async initialize(options: { signal?: AbortSignal } = {}): Promise<InitializeResult> {
    this.#assertOpen();
    const [version, models] = await Promise.all([
      this.#buffered('/api/version', 'GET', undefined, undefined, options.signal).then(
        ({ text }) => {
          const parsed = this.#json(text, '/api/version') as { version?: unknown };
          return typeof parsed.version === 'string' ? parsed.version : undefined;
        },
      ),
      this.listModels(options),
    ]);
    return { version, models };
  }

  /** Models pulled on the server (`/api/tags`). */
  async listModels(options: { signal?: AbortSignal } = {}): Promise<ModelSummary[]> {
    this.#assertOpen();
    const { text } = await this.#buffered('/api/tags', 'GET', undefined, undefined, options.signal);
    const models = parseModelList(this.#json(text, '/api/tags'));
    this.#models = models;
    return models;
  }

  /**
   * What `/api/show` says about a model: trained context length, capabilities, family. Cached per
   * model for the provider's life; a failure is not cached.
   * @throws {ModelNotFoundError} when the model is not pulled.
   */
  modelInfo(model: string, options: { signal?: AbortSignal } = {}): Promise<ModelInfo> {
    if (typeof model !== 'string' || model.trim().length === 0) {
      return Promise.reject(
        new TypeError(
          `Expected \`model\` to be a non-empty string, got \`${String(model)}\` (${typeof model})`,
        ),
      );
    }
    if (this.#closed) return Promise.reject(new ProviderClosedError());
    // An aborted caller sends nothing, not even the shared lookup.
    if (options.signal?.aborted) return Promise.reject(options.signal.reason);
    let pending = this.#modelInfo.get(model);
    if (pending === undefined) {
      // Shared by every caller: no caller's signal may abort it (each one stops waiting instead).
      const created = this.#buffered('/api/show', 'POST', { model }, model, undefined).then(
        ({ text }) => parseModelInfo(model, this.#json(text, '/api/show')),
      );
      this.#modelInfo.set(model, created);
      created.catch(() => {
        if (this.#modelInfo.get(model) === created) this.#modelInfo.delete(model);
      });
      pending = created;
    }
    return untilAborted(pending, options.signal);
  }

  /**
   * Tokens step: estimates the prompt, picks the window and `num_ctx`, and checks the fit.
   * @throws {ContextOverflowError} when the prompt does not fit and `onOverflow` is `'error'`.
   */
  /**
   * The tokens step without a promise in the common case: the window is known (set by the request
   * or pinned for the model) and the prompt fits. Anything else takes the asynchronous path.
   */
  #prepare(request: ChatRequest, signal: AbortSignal | undefined): Prepared | Promise<Prepared> {
    const tokens = this.#tokens;
    const explicit = requestedNumCtx(request);
    if (tokens === undefined) {
      return {
        numCtx: undefined,
        window: explicit,
        estimate: undefined,
        charged: undefined,
        queueWaitMs: undefined,
      };
    }
    const window = explicit ?? this.#numCtx.get(request.model);
    if (window === undefined) return this.#prepareSlow(request, signal);
    const estimate = this.#estimate(request);
    const reserve =
      request.maxTokens !== undefined && request.maxTokens > 0
        ? request.maxTokens
        : tokens.reserveOutputTokens;
    if (estimate !== undefined && estimate + reserve > window && tokens.onOverflow !== 'allow') {
      return this.#prepareSlow(request, signal);
    }
    return {
      numCtx: explicit === undefined ? window : undefined,
      window,
      estimate,
      charged: undefined,
      queueWaitMs: undefined,
    };
  }

  async #prepareSlow(request: ChatRequest, signal: AbortSignal | undefined): Promise<Prepared> {
    const prepared: Prepared = {
      numCtx: undefined,
      window: requestedNumCtx(request),
      estimate: undefined,
      charged: undefined,
      queueWaitMs: undefined,
    };
    const tokens = this.#tokens;
    if (tokens === undefined) return prepared;
    const { model } = request;
    prepared.estimate = this.#estimate(request);
    let info: ModelInfo | undefined;
    const explicit = prepared.window !== undefined;
    if (!explicit) {
      let window = this.#numCtx.get(model);
      if (window === undefined) {
        info = await this.#loadInfo(model, signal);
        window = tokens.numCtx ?? info?.defaultNumCtx ?? DEFAULT_NUM_CTX;
        if (info?.contextLength !== undefined) window = Math.min(window, info.contextLength);
        // Another call may have pinned it while we waited.
        window = this.#numCtx.get(model) ?? window;
        this.#numCtx.set(model, window);
      }
      prepared.window = window;
      prepared.numCtx = window;
    }
    const estimate = prepared.estimate;
    if (estimate === undefined || prepared.window === undefined) return prepared;
    const reserve =
      request.maxTokens !== undefined && request.maxTokens > 0
        ? request.maxTokens
        : tokens.reserveOutputTokens;
    const needed = estimate + reserve;
    if (needed <= prepared.window || tokens.onOverflow === 'allow') return prepared;
    if (tokens.onOverflow === 'raise' && !explicit) {
      info ??= await this.#loadInfo(model, signal);
      const trained = info?.contextLength;
      if (trained === undefined || needed <= trained) {
        let raised = 2 ** Math.ceil(Math.log2(needed));
        if (trained !== undefined) raised = Math.min(raised, trained);
        const from = prepared.window;
        const pinned = Math.max(raised, this.#numCtx.get(model) ?? 0);
        this.#numCtx.set(model, pinned);
        prepared.window = pinned;
        prepared.numCtx = pinned;
        this.#stats.contextRaises++;
        if (this.#events.wanted('context-raised')) {
          this.#events.emit('context-raised', { model, from, to: pinned, promptTokens: estimate });
        }
        return prepared;
      }
      throw new ContextOverflowError({
        model,
        promptTokens: estimate,
        reserveOutputTokens: reserve,
        contextWindow: trained,
        trainedContextLength: trained,
        source: 'estimate',
      });
    }
    throw new ContextOverflowError({
      model,
      promptTokens: estimate,
      reserveOutputTokens: reserve,
      contextWindow: prepared.window,
      trainedContextLength: info?.contextLength ?? (await this.#cachedTrained(model)),
      source: 'estimate',
    });
  }

  /** Model info for the tokens step: a missing model fails; other trouble leaves the defaults. */
  async #loadInfo(model: string, signal: AbortSignal | undefined): Promise<ModelInfo | undefined> {
    try {
      return await this.modelInfo(model, signal === undefined ? {} : { signal });
    } catch (error) {
      if (isModelNotFoundError(error) || signal?.aborted) throw error;
      if (!isOllamaError(error) || error.retryable) throw error;
      return undefined;
    }
  }

  async #cachedTrained(model: string): Promise<number | undefined> {
    const pending = this.#modelInfo.get(model);
    if (pending === undefined) return undefined;
    try {
      return (await pending).contextLength;
    } catch {
      return undefined;
    }
  }

  #estimate(request: ChatRequest): number | undefined {
    try {
      return estimateTokens(toTokenMessages(request), {
        model: request.model,
        provider: 'ollama',
        ...(request.tools !== undefined ? { tools: request.tools as never } : {}),
        ...(this.#tokens?.calibrator !== undefined ? { calibrator: this.#tokens.calibrator } : {}),
      }).tokens;
    } catch {
      return undefined;
    }
  }

  /** Rate-limit step: 1 request + the estimated tokens. Returns the time waited. */
  async #admit(prepared: Prepared, signal: AbortSignal | undefined): Promise<void> {
    const limit = this.#rateLimit;
    if (limit === undefined) return;
    const costs: Record<string, number> = {};
    if (limit.hasRequests) costs.requests = 1;
    if (limit.tokensCapacity !== undefined && prepared.estimate !== undefined) {
      costs.tokens = Math.max(1, Math.min(limit.tokensCapacity, prepared.estimate));
      prepared.charged = costs.tokens;
    }
    const started = now();
    await limit.limiter.acquire(
      limit.key,
      costs,
      signal === undefined
        ? { timeoutMs: limit.timeoutMs as number }
        : { signal, timeoutMs: limit.timeoutMs as number },
    );
    const waited = now() - started;
    prepared.queueWaitMs = waited;
    if (waited >= 1) {
      this.#stats.rateLimitWaits++;
      this.#stats.rateLimitWait.record(waited);
    }
  }

  /** Reconcile step: truncation check, calibrator, rate-limit correction, cost. */
  #reconcile(request: ChatRequest, prepared: Prepared, response: ChatResponse): void {
    response.estimatedPromptTokens = prepared.estimate;
    response.numCtx = prepared.numCtx ?? requestedNumCtx(request);
    response.timings.queueWaitMs = prepared.queueWaitMs;
    const { promptTokens, completionTokens } = response.usage;
    const estimate = prepared.estimate;
    const tokens = this.#tokens;
    if (tokens !== undefined && estimate !== undefined && promptTokens !== undefined) {
      this.#stats.drift(estimate, promptTokens);
      const window = prepared.window;
      // Only a prompt near or over the window can have been cut; below that, a low count is more
      // likely Ollama reusing a cached prefix of the conversation (it counts new tokens only).
      const truncated =
        promptTokens < estimate * tokens.truncationRatio &&
        estimate - promptTokens >= 16 &&
        (window === undefined || estimate >= 0.75 * window);
      if (truncated) {
        response.truncated = true;
        this.#stats.truncations++;
        if (this.#events.wanted('truncated')) {
          this.#events.emit('truncated', {
            model: request.model,
            estimatedPromptTokens: estimate,
            promptEvalCount: promptTokens,
            numCtx: response.numCtx,
          } satisfies TruncatedEvent);
        }
      } else if (
        tokens.calibrator !== undefined &&
        promptTokens > 0 &&
        this.#shouldObserve(request.model)
      ) {
        try {
          tokens.calibrator.observe({
            model: request.model,
            provider: 'ollama',
            input: toTokenMessages(request),
            ...(request.tools !== undefined ? { tools: request.tools as never } : {}),
            actualTokens: promptTokens,
          });
        } catch {
          // A calibrator's complaint must not fail an answer that arrived.
        }
      }
    }
    const limit = this.#rateLimit;
    if (limit !== undefined && prepared.charged !== undefined) {
      const actual = (promptTokens ?? estimate ?? 0) + (completionTokens ?? 0);
      const delta = actual - prepared.charged;
      if (delta !== 0) limit.limiter.adjust(limit.key, { tokens: delta }).catch(noop);
    }
    response.costUsd = this.#cost(request.model, promptTokens, completionTokens);
  }

  #observations = 0;

  /**
   * Whether to feed this answer to the calibrator: every answer until it is calibrated for the
   * model, then one in eight (observing re-reads the prompt, a cost on every call otherwise).
   */
  #shouldObserve(model: string): boolean {
    const calibrator = this.#tokens?.calibrator;
    if (calibrator === undefined) return false;
    if (!this.#calibrated.has(model)) {
      if (calibrator.get(model, 'ollama')?.ready !== true) return true;
      this.#calibrated.add(model);
    }
    return (this.#observations++ & 7) === 0;
  }

  /** Models seen calibrated (if the calibrator drops one, the sampled observations reteach it). */
  readonly #calibrated = new Set<string>();

  #cost(model: string, input: number | undefined, output: number | undefined): number | undefined {
    if (input === undefined && output === undefined) return undefined;
    try {
      const cost = estimateCost({ model, inputTokens: input ?? 0, outputTokens: output ?? 0 });
      if (cost !== undefined) return cost.total;
    } catch {
      // Unknown model: below.
    }
    // A local server charges nothing per token; a remote one (ollama.com) is unknown.
    return this.#local ? 0 : undefined;
  }

  /**
   * A chat answer. Sent with `stream: false`, so no undici headers timeout applies: a long
   * generation is bounded only by `timeouts.totalMs` when set.
   * @throws {TypeError} for a malformed request, before anything is sent.
   * @throws {ContextOverflowError} when the prompt does not fit the model's window.
   */
  async complete(request: ChatRequest): Promise<ChatResponse> {
    validateChatRequest(request);
    this.#assertOpen();
    const started = now();
    this.#stats.requests++;
    this.#stats.inFlight++;
    this.#budget?.deposit();
    const deadline = this.#deadline();
    const signal = anySignal(request.signal, deadline.signal);
    try {
      let response: ChatResponse;
      const cache = this.#cache;
      const mode = request.cache ?? 'default';
      if (cache === undefined || mode === 'bypass') {
        response = await this.#completeFresh(request, signal, started);
      } else if (mode === 'refresh') {
        response = await this.#completeFresh(request, signal, started);
        this.#store(cache, request, { response });
      } else {
        const keyRequest = cacheRequest(request);
        if (!cache.decide(keyRequest).cacheable) {
          // Not cacheable (sampled, tools...): not shared either, straight to the server.
          response = await this.#completeFresh(request, signal, started);
        } else {
          let own: ChatResponse | undefined;
          const value = await cache.getOrLoad(
            keyRequest,
            async (loaderSignal) => {
              own = await this.#completeFresh(request, loaderSignal, started);
              return { response: own } satisfies CachedAnswer;
            },
            signal === undefined ? undefined : { signal },
          );
          if (own !== undefined) {
            response = own;
            this.#stats.cacheMisses++;
            // A shared cache has no `ttl` hook of ours: take a truncated answer back out.
            if (own.truncated) cache.delete(keyRequest);
          } else {
            response = fromCache((value as CachedAnswer).response, now() - started);
            this.#cacheHit(request.model);
          }
        }
      }
      this.#succeeded(response, started);
      return response;
    } catch (error) {
      this.#failed(error, request.model, '/api/chat');
      throw error;
    } finally {
      deadline.clear();
      this.#stats.inFlight--;
    }
  }

  #cacheHit(model: string): void {
    this.#stats.cacheHits++;
    if (this.#events.wanted('cache-hit')) this.#events.emit('cache-hit', { model });
  }

  #store(cache: Cache, request: ChatRequest, value: CachedAnswer): void {
    if (value.response.truncated) return;
    try {
      cache.set(cacheRequest(request), value);
    } catch {
      // A value the cache refuses is simply not cached.
    }
  }

  async #completeFresh(
    request: ChatRequest,
    signal: AbortSignal | undefined,
    started: number,
  ): Promise<ChatResponse> {
    const pending = this.#prepare(request, signal);
    const prepared = pending instanceof Promise ? await pending : pending;
    await this.#admit(prepared, signal);
    const body = JSON.stringify(toChatBody(request, false, prepared.numCtx));
    const headers = await this.#headersFor('application/json');
    for (let retry = 0; ; retry++) {
      this.#stats.attempts++;
      const accumulator = new ChatAccumulator(this.#redactFor(headers));
      try {
        const buffer = await this.#call('/api/chat', 'POST', headers, body, request.model, signal);
        const text = buffer.toString('utf8');
        const newline = text.indexOf('\n');
        if (newline === -1 || newline === text.length - 1) accumulator.addLine(text);
        else {
          // The server streamed after all (a proxy, an old server): fold every line.
          for (const line of text.split('\n'))
            if (line.trim().length > 0) accumulator.addLine(line);
        }
        if (!accumulator.done) throw new IncompleteStreamError({ partial: accumulator.partial() });
        const response = accumulator.build({
          attempts: retry + 1,
          latencyMs: now() - started,
          queueWaitMs: undefined,
          firstTokenMs: undefined,
          numCtx: undefined,
          estimatedPromptTokens: undefined,
        });
        this.#reconcile(request, prepared, response);
        return response;
      } catch (error) {
        const withPartial = attachPartial(
          tooLarge(error, '/api/chat', accumulator.partial()),
          accumulator,
        );
        if (!(await this.#backoff(withPartial, retry, '/api/chat', request.model, signal))) {
          throw withPartial;
        }
      }
    }
  }

  /**
   * A streamed chat answer: an async iterable of chunks; the last one has `done: true` and the
   * complete `response`. Leaving the loop early aborts the request. Retries happen only before
   * the first chunk reached you. A cached answer is replayed as a stream.
   * @throws {TypeError} for a malformed request, before anything is sent.
   */
  stream(request: ChatRequest): AsyncIterable<StreamChunk> {
    validateChatRequest(request);
    this.#assertOpen();
    return { [Symbol.asyncIterator]: () => this.#stream(request) };
  }

  async *#stream(request: ChatRequest): AsyncGenerator<StreamChunk, void, undefined> {
    this.#assertOpen();
    const started = now();
    this.#stats.requests++;
    this.#stats.streams++;
    this.#stats.inFlight++;
    this.#budget?.deposit();
    const deadline = this.#deadline();
    const signal = anySignal(request.signal, deadline.signal);
    let outcome: 'success' | 'failure' | 'cancelled' = 'cancelled';
    try {
      const cache = this.#cache;
      const mode = request.cache ?? 'default';
      const useCache = cache !== undefined && mode !== 'bypass';
      const cacheable = useCache && cache.decide(cacheRequest(request)).cacheable;
      if (useCache && mode === 'default' && cacheable) {
        const hit = (await cache.lookup(
          cacheRequest(request),
          signal === undefined ? undefined : { signal },
        )) as CachedAnswer | undefined;
        if (hit !== undefined) {
          this.#cacheHit(request.model);
          const response = fromCache(hit.response, now() - started);
          const chunks = hit.chunks ?? [
            { c: hit.response.content, t: hit.response.thinking, tc: hit.response.toolCalls },
          ];
          for (const chunk of chunks) {
            // A replay has no socket to abort: the caller's signal is checked chunk by chunk.
            if (signal?.aborted) throw signal.reason;
            yield {
              content: chunk.c,
              thinking: chunk.t,
              toolCalls:
                chunk.tc !== undefined && chunk.tc.length > 0
                  ? structuredClone(chunk.tc)
                  : undefined,
              done: false,
              response: undefined,
            };
          }
          if (signal?.aborted) throw signal.reason;
          this.#succeeded(response, started);
          outcome = 'success';
          yield { content: '', thinking: undefined, toolCalls: undefined, done: true, response };
          return;
        }
        this.#stats.cacheMisses++;
      }
      const record: CachedAnswer['chunks'] | undefined = cacheable ? [] : undefined;
      const pending = this.#prepare(request, signal);
      const prepared = pending instanceof Promise ? await pending : pending;
      await this.#admit(prepared, signal);
      const body = JSON.stringify(toChatBody(request, true, prepared.numCtx));
      const headers = await this.#headersFor('application/x-ndjson');
      for (let retry = 0; ; retry++) {
        this.#stats.attempts++;
        const accumulator = new ChatAccumulator(this.#redactFor(headers));
        let yielded = false;
        const attemptStarted = now();
        let firstTokenMs: number | undefined;
        try {
          const decoder = new NdjsonDecoder(this.#maxLineBytes);
          const pending: StreamChunk[] = [];
          const onLine = (line: string) => {
            const delta = accumulator.addLine(line);
            if (delta !== undefined) pending.push(delta);
          };
          for await (const chunk of this.#exchange(
            '/api/chat',
            'POST',
            headers,
            body,
            request.model,
            true,
            signal,
          )) {
            // Chunks that arrived in the same read as an error line still reach the caller
            // first, so the error's partial content matches what the caller saw.
            let failure: unknown;
            try {
              decodeInto(decoder, chunk, onLine, accumulator);
            } catch (error) {
              failure = error;
            }
            if (firstTokenMs === undefined && accumulator.chunks > 0) {
              firstTokenMs = now() - attemptStarted;
              this.#stats.firstToken.record(firstTokenMs);
            }
            while (pending.length > 0) {
              // Chunks decoded from one read outlive an abort that came while the caller held
              // the first of them: nothing more reaches a caller who aborted.
              if (signal?.aborted) throw signal.reason;
              const item = pending.shift()!;
              record?.push(recorded(item));
              yielded = true;
              yield item;
            }
            if (failure !== undefined) throw failure;
          }
          decoder.end(onLine);
          while (pending.length > 0) {
            if (signal?.aborted) throw signal.reason;
            const item = pending.shift()!;
            record?.push(recorded(item));
            yielded = true;
            yield item;
          }
          if (!accumulator.done) {
            throw new IncompleteStreamError({ partial: accumulator.partial() });
          }
          const response = accumulator.build({
            attempts: retry + 1,
            latencyMs: now() - started,
            queueWaitMs: undefined,
            firstTokenMs,
            numCtx: undefined,
            estimatedPromptTokens: undefined,
          });
          this.#reconcile(request, prepared, response);
          if (useCache && cacheable && record !== undefined) {
            this.#store(cache, request, { response, chunks: record });
          }
          this.#succeeded(response, started);
          outcome = 'success';
          yield { content: '', thinking: undefined, toolCalls: undefined, done: true, response };
          return;
        } catch (error) {
          const withPartial = attachPartial(error, accumulator);
          if (
            yielded ||
            !(await this.#backoff(withPartial, retry, '/api/chat', request.model, signal))
          ) {
            throw withPartial;
          }
          if (record !== undefined) record.length = 0;
        }
      }
    } catch (error) {
      outcome = 'failure';
      this.#failed(error, request.model, '/api/chat');
      throw error;
    } finally {
      deadline.clear();
      this.#stats.inFlight--;
      if (outcome === 'cancelled') this.#stats.cancelled++;
    }
  }

  /**
   * Embeddings (`/api/embed`), through the rate limiter, breaker and retries.
   * @throws {TypeError} for a malformed request, before anything is sent.
   */
  async embed(request: EmbedRequest): Promise<EmbedResponse> {
    validateEmbedRequest(request);
    this.#assertOpen();
    const started = now();
    this.#stats.requests++;
    this.#stats.embeddings++;
    this.#stats.inFlight++;
    this.#budget?.deposit();
    const deadline = this.#deadline();
    const signal = anySignal(request.signal, deadline.signal);
    try {
      const prepared: Prepared = {
        numCtx: undefined,
        window: undefined,
        estimate: undefined,
        charged: undefined,
        queueWaitMs: undefined,
      };
      if (this.#tokens !== undefined && this.#rateLimit?.tokensCapacity !== undefined) {
        const texts = typeof request.input === 'string' ? [request.input] : request.input;
        try {
          prepared.estimate = estimateTokens(texts.join('\n'), {
            model: request.model,
            provider: 'ollama',
          }).tokens;
        } catch {
          prepared.estimate = undefined;
        }
      }
      await this.#admit(prepared, signal);
      const { text, attempts } = await this.#buffered(
        '/api/embed',
        'POST',
        toEmbedBody(request),
        request.model,
        signal,
      );
      const parsed = this.#json(text, '/api/embed') as Record<string, unknown>;
      const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
      const totalNs = num(parsed.total_duration);
      const loadNs = num(parsed.load_duration);
      const result: EmbedResponse = {
        model: typeof parsed.model === 'string' ? parsed.model : request.model,
        embeddings: Array.isArray(parsed.embeddings) ? (parsed.embeddings as number[][]) : [],
        usage: { promptTokens: num(parsed.prompt_eval_count) },
        timings: {
          totalMs: totalNs === undefined ? undefined : totalNs / 1e6,
          loadMs: loadNs === undefined ? undefined : loadNs / 1e6,
          latencyMs: now() - started,
        },
        attempts,
      };
      const limit = this.#rateLimit;
      if (
        limit !== undefined &&
        prepared.charged !== undefined &&
        result.usage.promptTokens !== undefined
      ) {
        const delta = result.usage.promptTokens - prepared.charged;
        if (delta !== 0) limit.limiter.adjust(limit.key, { tokens: delta }).catch(noop);
      }
      this.#stats.successes++;
      this.#stats.latency.record(result.timings.latencyMs);
      if (result.usage.promptTokens !== undefined) {
        this.#stats.promptTokens += result.usage.promptTokens;
      }
      return result;
    } catch (error) {
      this.#failed(error, request.model, '/api/embed');
      throw error;
    } finally {
      deadline.clear();
      this.#stats.inFlight--;
    }
  }

  /**
   * Health without generating tokens: `HEAD /`, `/api/version` and `/api/ps` (bypassing the
   * breaker, limiter and retries), plus the state of every resilience piece. `unhealthy` when the
   * server is unreachable or the breaker is open; `degraded` when the breaker is half-open,
   * callers queue in the rate limiter, or part of the probe failed. Never throws for a down server.
   */
  async health(options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<HealthReport> {
    this.#assertOpen();
    optionalNumber('timeoutMs', options.timeoutMs, 1);
    const timeoutMs = options.timeoutMs ?? 5_000;
    const controller = new AbortController();
    const timer = setTimeout(
      () =>
        controller.abort(new OllamaTimeoutError({ timeout: 'total', timeoutMs, retryable: false })),
      timeoutMs,
    );
    timer.unref?.();
    const signal = anySignal(options.signal, controller.signal);
    const reasons: string[] = [];
    let reachable = false;
    let version: string | undefined;
    let latencyMs: number | undefined;
    let loadedModels: LoadedModel[] = [];
    let error: string | undefined;
    try {
      const headers = await this.#headersFor('application/json');
      const probe = async (endpoint: string, method: 'GET' | 'HEAD') => {
        const parts: Buffer[] = [];
        for await (const chunk of exchange({
          transport: this.#transport,
          url: this.baseUrl + (endpoint === '/' ? '/' : endpoint),
          origin: this.#origin,
          endpoint,
          method,
          headers,
          body: undefined,
          model: undefined,
          stream: false,
          timeouts: this.#timeouts,
          signals: [signal],
          redact: this.#redactFor(headers),
        })) {
          parts.push(Buffer.from(chunk));
        }
        return Buffer.concat(parts).toString('utf8');
      };
      const started = now();
      await probe('/', 'HEAD');
      latencyMs = now() - started;
      reachable = true;
      const [v, ps] = await Promise.allSettled([
        probe('/api/version', 'GET'),
        probe('/api/ps', 'GET'),
      ]);
      if (v.status === 'fulfilled') {
        const parsed = JSON.parse(v.value) as { version?: unknown };
        if (typeof parsed.version === 'string') version = parsed.version;
      } else reasons.push('version unavailable');
      if (ps.status === 'fulfilled') loadedModels = parseLoadedModels(JSON.parse(ps.value));
      else reasons.push('loaded models unavailable');
    } catch (cause) {
      if (options.signal?.aborted) throw options.signal.reason;
      error = this.#redact(cause instanceof Error ? cause.message : String(cause));
      reasons.push(`server unreachable: ${error}`);
    } finally {
      clearTimeout(timer);
    }
    const breakerState = this.#breaker?.state;
    if (breakerState === 'open') reasons.push('circuit breaker open');
    if (breakerState === 'half-open') reasons.push('circuit breaker half-open');
    const limiterStats = this.#rateLimit?.limiter.stats();
    if (limiterStats !== undefined && limiterStats.queued > 0) {
      reasons.push(`${limiterStats.queued} call(s) waiting for the rate limiter`);
    }
    const status: HealthReport['status'] =
      !reachable || breakerState === 'open'
        ? 'unhealthy'
        : reasons.length > 0
          ? 'degraded'
          : 'healthy';
    return {
      status,
      reasons,
      reachable,
      version,
      latencyMs,
      loadedModels,
      breaker: breakerState === undefined ? undefined : { state: breakerState },
      rateLimit: limiterStats,
      cache: this.#cache?.stats(),
      pool: this.#pool?.stats(),
      error,
    };
  }

  #succeeded(response: ChatResponse, started: number): void {
    this.#stats.successes++;
    this.#stats.latency.record(now() - started);
    const { usage, timings } = response;
    if (!response.cached) {
      if (usage.promptTokens !== undefined) this.#stats.promptTokens += usage.promptTokens;
      if (usage.completionTokens !== undefined) {
        this.#stats.completionTokens += usage.completionTokens;
      }
      if (timings.tokensPerSecond !== undefined) {
        this.#stats.tokensPerSecond.record(timings.tokensPerSecond);
      }
    }
    if (this.#events.wanted('response')) {
      this.#events.emit('response', {
        model: response.model,
        cached: response.cached,
        attempts: response.attempts,
        latencyMs: timings.latencyMs,
        usage,
        finishReason: response.finishReason,
        truncated: response.truncated,
      } satisfies ResponseEvent);
    }
  }

  #failed(error: unknown, model: string | undefined, endpoint: string): void {
    this.#stats.failure(error);
    if (this.#events.wanted('error')) {
      this.#events.emit('error', {
        model,
        endpoint,
        code: (error as { code?: string })?.code,
        name: (error as Error)?.name ?? 'Error',
        message: this.#redact((error as Error)?.message ?? String(error)),
      } satisfies ErrorEvent);
    }
  }

  /** A JSON-serialisable snapshot of the counters. Never resets them. */
  stats(): ProviderStats {
    return this.#stats.snapshot();
  }

  /**
   * Every statistic in the Prometheus text exposition format, plus the breaker state, the
   * limiter queue, the cache and the pool.
   */
  toPrometheus(): string {
    return renderPrometheus(this.stats(), {
      breakerState: this.#breaker?.state,
      rateLimitQueued: this.#rateLimit?.limiter.stats().queued,
      cache: this.#cache?.stats() as { entries?: number; hitRate?: number } | undefined,
      pool: this.#pool?.stats().totals as { connected?: number; queued?: number } | undefined,
    });
  }

  /** Called before every retry. Returns an unsubscribe function. */
  onRetry(listener: Listener<RetryEvent>): () => void {
    return this.#events.on('retry', listener);
  }

  /** Called when a call fails. Returns an unsubscribe function. */
  onError(listener: Listener<ErrorEvent>): () => void {
    return this.#events.on('error', listener);
  }

  /** Called when a call succeeds (cache hits included). Returns an unsubscribe function. */
  onResponse(listener: Listener<ResponseEvent>): () => void {
    return this.#events.on('response', listener);
  }

  /** Called when a response is flagged as silently truncated. Returns an unsubscribe function. */
  onTruncated(listener: Listener<TruncatedEvent>): () => void {
    return this.#events.on('truncated', listener);
  }

  /** Called when `num_ctx` is raised for a model. Returns an unsubscribe function. */
  onContextRaised(listener: Listener<ContextRaisedEvent>): () => void {
    return this.#events.on('context-raised', listener);
  }

  /** Models learnt by {@link initialize} or {@link listModels}, if any. */
  get models(): ModelSummary[] | undefined {
    return this.#models;
  }

  /** The breaker in use, if any (to read `state` or call `open()`/`isolate()`). */
  get breaker(): Breaker | undefined {
    return this.#breaker;
  }

  /** The rate limiter in use, if any. */
  get rateLimiter(): RateLimiter | undefined {
    return this.#rateLimit?.limiter;
  }

  /** The cache in use, if any. */
  get cache(): Cache | undefined {
    return this.#cache;
  }

  /** The connection pool in use, if any. */
  get pool(): Pool | undefined {
    return this.#pool;
  }

  /**
   * Stops accepting requests, waits for running ones, and closes what the provider created (pool,
   * limiter); shared instances are left open. Idempotent.
   */
  close(): Promise<void> {
    // Every caller waits for the same closing: a second close() must not resolve while the
    // first is still waiting for running calls.
    if (this.#closing !== undefined) return this.#closing;
    this.#closed = true;
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
    this.#closing = Promise.all([
      this.#agent?.close(),
      this.#ownPool ? this.#pool?.close() : undefined,
      this.#ownRateLimiter ? this.#rateLimit?.limiter.close() : undefined,
    ]).then(noop);
    return this.#closing;
  }

  #closing: Promise<void> | undefined;
}

/** Payload of {@link OllamaProvider.onRetry} and `x:provider-ollama:retry`. */
export interface RetryEvent {
  endpoint: string;
  model: string | undefined;
  /** The attempt about to be made (2 for the first retry). */
  attempt: number;
  delayMs: number;
  code: string | undefined;
  message: string;
}

/** Payload of {@link OllamaProvider.onError} and `x:provider-ollama:error`. */
export interface ErrorEvent {
  model: string | undefined;
  endpoint: string;
  code: string | undefined;
  name: string;
  message: string;
}

/** Payload of {@link OllamaProvider.onResponse} and `x:provider-ollama:response`. */
export interface ResponseEvent {
  model: string;
  cached: boolean;
  attempts: number;
  latencyMs: number | undefined;
  usage: ChatResponse['usage'];
  finishReason: ChatResponse['finishReason'];
  truncated: boolean;
}

/** Payload of {@link OllamaProvider.onTruncated} and `x:provider-ollama:truncated`. */
export interface TruncatedEvent {
  model: string;
  estimatedPromptTokens: number;
  promptEvalCount: number;
  numCtx: number | undefined;
}

/** Payload of {@link OllamaProvider.onContextRaised} and `x:provider-ollama:context-raised`. */
export interface ContextRaisedEvent {
  model: string;
  from: number;
  to: number;
  promptTokens: number;
}

function noop(): void {}

const NO_DEADLINE = Object.freeze({ signal: undefined, clear: noop });

/** `promise`, or a rejection with `signal.reason` as soon as `signal` aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** One signal that aborts with the first of its inputs; no allocation when there is one. */
function anySignal(
  a: AbortSignal | undefined,
  b: AbortSignal | undefined,
): AbortSignal | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return AbortSignal.any([a, b]);
}

/** The part of a request that decides the answer: the cache key's input. */
function cacheRequest(request: ChatRequest): Record<string, unknown> {
  const body = toChatBody(request, false, undefined);
  delete body.stream;
  return body;
}

/**
 * The messages as `@x/tokens` reads them. It counts every string field of a message, which here
 * are the ones Ollama renders into the prompt (content, thinking, tool name): no copy needed.
 */
function toTokenMessages(request: ChatRequest): readonly TokensChatMessage[] {
  return request.messages as unknown as readonly TokensChatMessage[];
}

function recorded(chunk: StreamChunk): { c: string; t?: string; tc?: ToolCall[] } {
  const out: { c: string; t?: string; tc?: ToolCall[] } = { c: chunk.content };
  if (chunk.thinking !== undefined) out.t = chunk.thinking;
  if (chunk.toolCalls !== undefined) out.tc = chunk.toolCalls;
  return out;
}

/** A mutable copy of a cached (deep-frozen) response, marked cached. */
function fromCache(stored: ChatResponse, latencyMs: number): ChatResponse {
  const response = structuredClone(stored) as ChatResponse;
  response.cached = true;
  response.attempts = 0;
  response.toolCalls ??= [];
  response.timings = {
    ...response.timings,
    latencyMs,
    queueWaitMs: undefined,
    firstTokenMs: undefined,
  };
  return response;
}

function decodeInto(
  decoder: NdjsonDecoder,
  chunk: Uint8Array,
  onLine: (line: string) => void,
  accumulator: ChatAccumulator,
): void {
  try {
    decoder.push(chunk, onLine);
  } catch (error) {
    if (error instanceof LineTooLongError) {
      throw new OllamaStreamError({
        reason: 'line-too-long',
        message: error.message,
        partial: accumulator.partial(),
        cause: error,
      });
    }
    throw error;
  }
}

/** Turns the buffered exchange's size error into the stream error users know. */
function tooLarge(error: unknown, endpoint: string, partial: PartialResponse): unknown {
  if (!(error instanceof BodyTooLargeError)) return error;
  return new OllamaStreamError({
    reason: 'line-too-long',
    message: `Ollama's ${endpoint} answer exceeded maxLineBytes (${error.limit})`,
    partial,
    cause: error,
  });
}

/** Gives errors raised below the accumulator the content that had arrived. */
function attachPartial(error: unknown, accumulator: ChatAccumulator): unknown {
  const partial: PartialResponse = accumulator.partial();
  if (isIncompleteStreamError(error) && error.partial.chunks < partial.chunks) {
    return new IncompleteStreamError({ partial, cause: error.cause });
  }
  if (accumulator.chunks === 0) return error;
  if (isOllamaTimeoutError(error) && error.partial === undefined) {
    return new OllamaTimeoutError({
      timeout: error.timeout,
      timeoutMs: error.timeoutMs,
      retryable: false,
      partial,
      cause: error.cause,
    });
  }
  return error;
}

/**
 * Creates an {@link OllamaProvider}.
 *
 * @example
 * const ollama = createOllamaProvider({ baseUrl: 'http://localhost:11434' });
 * await ollama.initialize();
 * const { content } = await ollama.complete({
 *   model: 'llama3.2',
 *   messages: [{ role: 'user', content: 'Why is the sky blue?' }],
 * });
 */
export function createOllamaProvider(options?: OllamaProviderOptions): OllamaProvider {
  return new OllamaProvider(options);
}
