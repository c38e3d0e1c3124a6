import { Agent, request as undiciRequest } from 'undici';
import {
  IncompleteStreamError,
  isIncompleteStreamError,
  isOllamaError,
  isOllamaTimeoutError,
  OllamaStreamError,
  OllamaTimeoutError,
  type PartialResponse,
  ProviderClosedError,
} from './errors';
import { Events, type Listener } from './internal/events';
import { exchange, type Transport, type TransportResponse } from './internal/exchange';
import { type BreakerLike, guarded } from './internal/guard';
import { parseLoadedModels, parseModelInfo, parseModelList } from './internal/models';
import { LineTooLongError, NdjsonDecoder } from './internal/ndjson';
import { renderPrometheus } from './internal/prometheus';
import { ChatAccumulator } from './internal/response';
import { backoffDelay, RetryBudget, sleep } from './internal/retry';
import { type ProviderStats, StatsRecorder } from './internal/stats';
import { fail, isPlainObject, optionalFunction, optionalNumber } from './internal/validate';
import {
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
  resolveRetry,
  resolveTimeouts,
  type TimeoutOptions,
  validateHeaders,
} from './options';
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
} from './types';

/** Options of {@link createOllamaProvider}. */
export interface OllamaProviderOptions {
  /**
   * Where Ollama listens. Accepts what `OLLAMA_HOST` accepts (`127.0.0.1:11434`, `0.0.0.0`).
   * @default process.env.OLLAMA_HOST ?? 'http://localhost:11434'
   */
  baseUrl?: string;
  /** Extra headers sent with every request. Never copied into errors, events or stats. */
  headers?: Record<string, string>;
  /** Sent as `Authorization: Bearer <apiKey>` (an auth proxy, or ollama.com). */
  apiKey?: string;
  /** Called before each request for a fresh key; wins over `apiKey`. */
  getApiKey?: () => string | undefined | Promise<string | undefined>;
  /** Deadlines, or `false` for none at all. */
  timeouts?: TimeoutOptions | false;
  /** Retry policy, or `false` for a single attempt. */
  retry?: RetryOptions | false;
  /**
   * Longest NDJSON line (and non-streamed body) accepted, in bytes.
   * @default 16 * 1024 * 1024
   */
  maxLineBytes?: number;
  /**
   * HTTP client. Replaces the connection pool; for tests and custom transports.
   * @default undici with keep-alive
   */
  transport?: Transport;
}

/** Result of {@link OllamaProvider.initialize}. */
export interface InitializeResult {
  version: string | undefined;
  models: ModelSummary[];
}

const DEFAULT_BASE_URL = 'http://localhost:11434';

function now(): number {
  return performance.now();
}

/**
 * An Ollama client with deadlines, retries, typed errors, statistics and events.
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
  readonly #headers: Record<string, string>;
  readonly #apiKey: string | undefined;
  readonly #getApiKey: (() => string | undefined | Promise<string | undefined>) | undefined;
  readonly #secrets = new Set<string>();
  readonly #timeouts: ResolvedTimeouts;
  readonly #retry: ResolvedRetry;
  readonly #budget: RetryBudget | undefined;
  readonly #maxLineBytes: number;
  readonly #transport: Transport;
  readonly #ownAgent: Agent | undefined;
  readonly #events = new Events();
  readonly #stats = new StatsRecorder();
  readonly #modelInfo = new Map<string, Promise<ModelInfo>>();
  #breaker: BreakerLike | undefined;
  #closed = false;
  #models: ModelSummary[] | undefined;

  constructor(options: OllamaProviderOptions = {}) {
    if (!isPlainObject(options) && !(typeof options === 'object' && options !== null)) {
      fail('options', 'an object', options);
    }
    const rawBase =
      options.baseUrl ?? (process.env.OLLAMA_HOST ? process.env.OLLAMA_HOST : DEFAULT_BASE_URL);
    if (typeof rawBase !== 'string') fail('baseUrl', 'a URL string', rawBase);
    this.baseUrl = normaliseBaseUrl(
      rawBase,
      options.baseUrl !== undefined ? 'baseUrl' : 'OLLAMA_HOST',
    );
    this.#origin = new URL(this.baseUrl).origin;
    this.#headers = validateHeaders(options.headers);
    if (
      options.apiKey !== undefined &&
      (typeof options.apiKey !== 'string' || options.apiKey === '')
    ) {
      fail(
        'apiKey',
        'a non-empty string',
        typeof options.apiKey === 'string' ? '' : options.apiKey,
      );
    }
    optionalFunction('getApiKey', options.getApiKey);
    this.#apiKey = options.apiKey;
    this.#getApiKey = options.getApiKey;
    if (this.#apiKey !== undefined) this.#secrets.add(this.#apiKey);
    for (const [key, value] of Object.entries(this.#headers)) {
      if (key === 'authorization' || key === 'x-api-key' || key === 'cookie')
        this.#secrets.add(value);
    }
    this.#timeouts = resolveTimeouts(options.timeouts);
    this.#retry = resolveRetry(options.retry);
    this.#budget = this.#retry.budget
      ? new RetryBudget(this.#retry.budget.ratio, this.#retry.budget.reserve)
      : undefined;
    optionalNumber('maxLineBytes', options.maxLineBytes, 1024, Number.POSITIVE_INFINITY, true);
    this.#maxLineBytes = options.maxLineBytes ?? 16 * 1024 * 1024;
    if (options.transport !== undefined) {
      optionalFunction('transport', options.transport);
      this.#transport = options.transport;
    } else {
      const agent = new Agent({
        connections: 20,
        keepAliveTimeout: 300_000,
        headersTimeout: 0,
        bodyTimeout: 0,
        connect: { timeout: this.#timeouts.connectMs || undefined },
      });
      this.#ownAgent = agent;
      this.#transport = (url, init) =>
        undiciRequest(url, { ...init, dispatcher: agent }) as unknown as Promise<TransportResponse>;
    }
  }

  /** Removes secrets from text that came from the outside (server messages). */
  readonly #redact = (text: string): string => {
    let out = text;
    for (const secret of this.#secrets) {
      if (secret.length > 0 && out.includes(secret)) out = out.split(secret).join('[redacted]');
    }
    return out.replace(/Bearer\s+[A-Za-z0-9._~+/=-]+/g, 'Bearer [redacted]');
  };

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
        this.#secrets.add(fresh);
        key = fresh;
      }
    }
    if (key !== undefined) headers.authorization = `Bearer ${key}`;
    return headers;
  }

  #assertOpen(): void {
    if (this.#closed) throw new ProviderClosedError();
  }

  /** Starts the total deadline of one call, when configured. */
  #deadline(): { signal: AbortSignal | undefined; clear: () => void } {
    const totalMs = this.#timeouts.totalMs;
    if (totalMs === undefined) return { signal: undefined, clear: () => {} };
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

  async #backoff(
    error: unknown,
    retry: number,
    meta: { endpoint: string; model: string | undefined },
    signals: ReadonlyArray<AbortSignal | undefined>,
  ): Promise<boolean> {
    for (const signal of signals) if (signal?.aborted) throw signal.reason;
    const delay = this.#retryDelay(error, retry);
    if (delay === undefined) return false;
    this.#stats.retries++;
    if (this.#events.wanted('retry')) {
      this.#events.emit('retry', {
        endpoint: meta.endpoint,
        model: meta.model,
        attempt: retry + 2,
        delayMs: delay,
        code: (error as { code?: string }).code,
        message: (error as Error).message,
      });
    }
    await sleepAny(delay, signals);
    return true;
  }

  /** Runs a buffered (non-streamed) exchange with retries, returning the whole body. */
  async #buffered(init: {
    endpoint: string;
    method: 'GET' | 'POST' | 'HEAD';
    body: unknown;
    model: string | undefined;
    signals: ReadonlyArray<AbortSignal | undefined>;
    retry?: boolean;
    onAttempt?: (attempt: number) => void;
  }): Promise<{ text: string; attempts: number }> {
    const headers = await this.#requestHeaders('application/json');
    const body = init.body === undefined ? undefined : JSON.stringify(init.body);
    for (let retry = 0; ; retry++) {
      this.#stats.attempts++;
      try {
        const parts: Buffer[] = [];
        let size = 0;
        for await (const chunk of guarded(this.#breaker, init.signals[0], (breakerSignal) =>
          exchange({
            transport: this.#transport,
            url: this.baseUrl + init.endpoint,
            origin: this.#origin,
            endpoint: init.endpoint,
            method: init.method,
            headers,
            body,
            model: init.model,
            stream: false,
            timeouts: this.#timeouts,
            signals: [...init.signals, breakerSignal],
            redact: this.#redact,
          }),
        )) {
          size += chunk.byteLength;
          if (size > this.#maxLineBytes) {
            throw new OllamaStreamError({
              reason: 'line-too-long',
              message: `Ollama's ${init.endpoint} answer exceeded maxLineBytes (${this.#maxLineBytes})`,
              partial: { content: '', thinking: '', toolCalls: [], chunks: 0 },
            });
          }
          parts.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
        }
        return { text: Buffer.concat(parts).toString('utf8'), attempts: retry + 1 };
      } catch (error) {
        if (init.retry === false) throw error;
        if (!(await this.#backoff(error, retry, init, init.signals))) throw error;
      }
    }
  }

  /**
   * Checks the server and learns its models: `/api/version` and `/api/tags`. Retries while the
   * server starts (connection refused).
   * @throws {OllamaConnectionError} when the server cannot be reached.
   */
  async initialize(options: { signal?: AbortSignal } = {}): Promise<InitializeResult> {
    this.#assertOpen();
    const [version, models] = await Promise.all([
      this.#buffered({
        endpoint: '/api/version',
        method: 'GET',
        body: undefined,
        model: undefined,
        signals: [options.signal],
      }).then(({ text }) => {
        const parsed = JSON.parse(text) as { version?: unknown };
        return typeof parsed.version === 'string' ? parsed.version : undefined;
      }),
      this.listModels(options),
    ]);
    return { version, models };
  }

  /** Models pulled on the server (`/api/tags`). */
  async listModels(options: { signal?: AbortSignal } = {}): Promise<ModelSummary[]> {
    this.#assertOpen();
    const { text } = await this.#buffered({
      endpoint: '/api/tags',
      method: 'GET',
      body: undefined,
      model: undefined,
      signals: [options.signal],
    });
    const models = parseModelList(JSON.parse(text));
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
    let pending = this.#modelInfo.get(model);
    if (pending === undefined) {
      pending = this.#buffered({
        endpoint: '/api/show',
        method: 'POST',
        body: { model },
        model,
        signals: [options.signal],
      }).then(({ text }) => parseModelInfo(model, JSON.parse(text)));
      this.#modelInfo.set(model, pending);
      pending.catch(() => {
        if (this.#modelInfo.get(model) === pending) this.#modelInfo.delete(model);
      });
    }
    return pending;
  }

  /**
   * A chat answer. Sent with `stream: false`, so no undici headers timeout applies: a long
   * generation is bounded only by `timeouts.totalMs` when set.
   * @throws {TypeError} for a malformed request, before anything is sent.
   */
  async complete(request: ChatRequest): Promise<ChatResponse> {
    validateChatRequest(request);
    this.#assertOpen();
    const started = now();
    this.#stats.requests++;
    this.#stats.inFlight++;
    this.#budget?.deposit();
    const deadline = this.#deadline();
    const signals = [request.signal, deadline.signal];
    try {
      const response = await this.#completeUncached(request, signals, started);
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

  async #completeUncached(
    request: ChatRequest,
    signals: ReadonlyArray<AbortSignal | undefined>,
    started: number,
  ): Promise<ChatResponse> {
    const numCtx = undefined;
    const body = JSON.stringify(toChatBody(request, false, numCtx));
    const headers = await this.#requestHeaders('application/json');
    for (let retry = 0; ; retry++) {
      this.#stats.attempts++;
      const accumulator = new ChatAccumulator();
      try {
        const decoder = new NdjsonDecoder(this.#maxLineBytes);
        const onLine = (line: string) => {
          accumulator.addLine(line);
        };
        for await (const chunk of guarded(this.#breaker, signals[0], (breakerSignal) =>
          exchange({
            transport: this.#transport,
            url: `${this.baseUrl}/api/chat`,
            origin: this.#origin,
            endpoint: '/api/chat',
            method: 'POST',
            headers,
            body,
            model: request.model,
            stream: false,
            timeouts: this.#timeouts,
            signals: [...signals, breakerSignal],
            redact: this.#redact,
          }),
        )) {
          decodeInto(decoder, chunk, onLine, accumulator);
        }
        decoder.end(onLine);
        if (!accumulator.done) throw new IncompleteStreamError({ partial: accumulator.partial() });
        return accumulator.build({
          attempts: retry + 1,
          latencyMs: now() - started,
          queueWaitMs: undefined,
          firstTokenMs: undefined,
          numCtx,
          estimatedPromptTokens: undefined,
        });
      } catch (error) {
        const withPartial = attachPartial(error, accumulator);
        if (
          !(await this.#backoff(
            withPartial,
            retry,
            { endpoint: '/api/chat', model: request.model },
            signals,
          ))
        ) {
          throw withPartial;
        }
      }
    }
  }

  /**
   * A streamed chat answer: an async iterable of chunks; the last one has `done: true` and the
   * complete `response`. Leaving the loop early aborts the request. Retries happen only before the
   * first chunk reached you.
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
    const signals = [request.signal, deadline.signal];
    let outcome: 'success' | 'failure' | 'cancelled' = 'cancelled';
    try {
      const numCtx = undefined;
      const body = JSON.stringify(toChatBody(request, true, numCtx));
      const headers = await this.#requestHeaders('application/x-ndjson');
      for (let retry = 0; ; retry++) {
        this.#stats.attempts++;
        const accumulator = new ChatAccumulator();
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
          for await (const chunk of guarded(this.#breaker, signals[0], (breakerSignal) =>
            exchange({
              transport: this.#transport,
              url: `${this.baseUrl}/api/chat`,
              origin: this.#origin,
              endpoint: '/api/chat',
              method: 'POST',
              headers,
              body,
              model: request.model,
              stream: true,
              timeouts: this.#timeouts,
              signals: [...signals, breakerSignal],
              redact: this.#redact,
            }),
          )) {
            decodeInto(decoder, chunk, onLine, accumulator);
            if (firstTokenMs === undefined && accumulator.chunks > 0) {
              firstTokenMs = now() - attemptStarted;
              this.#stats.firstToken.record(firstTokenMs);
            }
            while (pending.length > 0) {
              yielded = true;
              yield pending.shift()!;
            }
          }
          decoder.end(onLine);
          while (pending.length > 0) {
            yielded = true;
            yield pending.shift()!;
          }
          if (!accumulator.done)
            throw new IncompleteStreamError({ partial: accumulator.partial() });
          const response = accumulator.build({
            attempts: retry + 1,
            latencyMs: now() - started,
            queueWaitMs: undefined,
            firstTokenMs,
            numCtx,
            estimatedPromptTokens: undefined,
          });
          this.#succeeded(response, started);
          outcome = 'success';
          yield { content: '', thinking: undefined, toolCalls: undefined, done: true, response };
          return;
        } catch (error) {
          const withPartial = attachPartial(error, accumulator);
          if (
            yielded ||
            !(await this.#backoff(
              withPartial,
              retry,
              { endpoint: '/api/chat', model: request.model },
              signals,
            ))
          ) {
            throw withPartial;
          }
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
   * Embeddings (`/api/embed`).
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
    try {
      const { text, attempts } = await this.#buffered({
        endpoint: '/api/embed',
        method: 'POST',
        body: toEmbedBody(request),
        model: request.model,
        signals: [request.signal, deadline.signal],
      });
      const parsed = JSON.parse(text) as Record<string, unknown>;
      const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
      const result: EmbedResponse = {
        model: typeof parsed.model === 'string' ? parsed.model : request.model,
        embeddings: Array.isArray(parsed.embeddings) ? (parsed.embeddings as number[][]) : [],
        usage: { promptTokens: num(parsed.prompt_eval_count) },
        timings: {
          totalMs:
            num(parsed.total_duration) === undefined
              ? undefined
              : (parsed.total_duration as number) / 1e6,
          loadMs:
            num(parsed.load_duration) === undefined
              ? undefined
              : (parsed.load_duration as number) / 1e6,
          latencyMs: now() - started,
        },
        attempts,
      };
      this.#stats.successes++;
      this.#stats.latency.record(result.timings.latencyMs);
      if (result.usage.promptTokens !== undefined)
        this.#stats.promptTokens += result.usage.promptTokens;
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
   * Health without generating tokens: `HEAD /`, `/api/version` and `/api/ps`, plus the state of
   * every resilience piece. Never throws for an unreachable server; it reports `unhealthy`.
   */
  async health(options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<HealthReport> {
    this.#assertOpen();
    const timeoutMs = options.timeoutMs ?? 5_000;
    const controller = new AbortController();
    const timer = setTimeout(
      () =>
        controller.abort(new OllamaTimeoutError({ timeout: 'total', timeoutMs, retryable: false })),
      timeoutMs,
    );
    timer.unref?.();
    const signals = [options.signal, controller.signal];
    const reasons: string[] = [];
    let reachable = false;
    let version: string | undefined;
    let latencyMs: number | undefined;
    let loadedModels: LoadedModel[] = [];
    let error: string | undefined;
    try {
      const started = now();
      const probe = async (endpoint: string, method: 'GET' | 'HEAD') => {
        const headers = await this.#requestHeaders('application/json');
        const parts: Buffer[] = [];
        for await (const chunk of exchange({
          transport: this.#transport,
          url: this.baseUrl + endpoint,
          origin: this.#origin,
          endpoint,
          method,
          headers,
          body: undefined,
          model: undefined,
          stream: false,
          timeouts: this.#timeouts,
          signals,
          redact: this.#redact,
        })) {
          parts.push(Buffer.from(chunk));
        }
        return Buffer.concat(parts).toString('utf8');
      };
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
      rateLimit: undefined,
      cache: undefined,
      pool: undefined,
      error,
    };
  }

  #succeeded(response: ChatResponse, started: number): void {
    this.#stats.successes++;
    this.#stats.latency.record(now() - started);
    const { usage, timings } = response;
    if (usage.promptTokens !== undefined) this.#stats.promptTokens += usage.promptTokens;
    if (usage.completionTokens !== undefined)
      this.#stats.completionTokens += usage.completionTokens;
    if (timings.tokensPerSecond !== undefined)
      this.#stats.tokensPerSecond.record(timings.tokensPerSecond);
    if (this.#events.wanted('response')) {
      this.#events.emit('response', {
        model: response.model,
        cached: response.cached,
        attempts: response.attempts,
        latencyMs: timings.latencyMs,
        usage,
        finishReason: response.finishReason,
        truncated: response.truncated,
      });
    }
  }

  #failed(error: unknown, model: string | undefined, endpoint: string): void {
    this.#stats.failure(error);
    if (this.#events.wanted('error')) {
      this.#events.emit('error', {
        model,
        endpoint,
        code: (error as { code?: string })?.code,
        name: (error as Error)?.name,
        message: this.#redact((error as Error)?.message ?? String(error)),
      });
    }
  }

  /** A JSON-serialisable snapshot of the counters. Never resets them. */
  stats(): ProviderStats {
    return this.#stats.snapshot();
  }

  /** Every statistic in the Prometheus text exposition format. */
  toPrometheus(): string {
    return renderPrometheus(this.stats(), {});
  }

  /** Called after every retry is scheduled. Returns an unsubscribe function. */
  onRetry(listener: Listener<RetryEvent>): () => void {
    return this.#events.on('retry', listener);
  }

  /** Called when a call fails. Returns an unsubscribe function. */
  onError(listener: Listener<ErrorEvent>): () => void {
    return this.#events.on('error', listener);
  }

  /** Called when a call succeeds. Returns an unsubscribe function. */
  onResponse(listener: Listener<ResponseEvent>): () => void {
    return this.#events.on('response', listener);
  }

  /** Called when a response is flagged as silently truncated. Returns an unsubscribe function. */
  onTruncated(listener: Listener<TruncatedEvent>): () => void {
    return this.#events.on('truncated', listener);
  }

  /** Models learnt by {@link initialize} or {@link listModels}, if any. */
  get models(): ModelSummary[] | undefined {
    return this.#models;
  }

  /** Stops accepting requests and closes the connections it owns. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#ownAgent?.close();
  }
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

/** Gives errors raised below the accumulator the content that had arrived. */
function attachPartial(error: unknown, accumulator: ChatAccumulator): unknown {
  if (accumulator.chunks === 0) return error;
  const partial: PartialResponse = accumulator.partial();
  if (isIncompleteStreamError(error) && error.partial.chunks === 0) {
    return new IncompleteStreamError({ partial, cause: error.cause });
  }
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

function sleepAny(ms: number, signals: ReadonlyArray<AbortSignal | undefined>): Promise<void> {
  const active = signals.filter((s): s is AbortSignal => s !== undefined);
  if (active.length <= 1) return sleep(ms, active[0]);
  return sleep(ms, AbortSignal.any(active));
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
