import type { Breaker } from '@x/breaker';
import { breakerPresets } from '@x/breaker';
import type { Cache } from '@x/cache';
import { expectKnownKeys, expectNumber, fail, raceAbort } from '@x/internal';
import type { Pool } from '@x/pool';
import {
  CORE_OPTION_KEYS,
  type ContextRaisedEvent,
  type ErrorEvent,
  ProviderCore,
  type ProviderStats,
  type ResponseEvent,
  type RetryEvent,
  type TruncatedEvent,
} from '@x/provider-core';
import { type RateLimiter, rateLimitPresets } from '@x/rate-limit';
import { ContextWindows } from './context';
import { OLLAMA_ERRORS } from './errors';
import { checkHealth } from './health';
import { DEFAULT_BASE_URL, normaliseBaseUrl, type OllamaProviderOptions } from './options';
import type {
  ChatRequest,
  ChatResponse,
  EmbedRequest,
  EmbedResponse,
  HealthReport,
  ModelInfo,
  ModelSummary,
  StreamChunk,
} from './types';
import { validateChatRequest, validateEmbedRequest } from './validate';
import { CHAT, NDJSON } from './wire/chat';
import { EMBED } from './wire/embed';
import { mapHttpError } from './wire/http-errors';
import { parseModelInfo, parseModelList } from './wire/models';

/** Result of {@link OllamaProvider.initialize}. */
export interface InitializeResult {
  version: string | undefined;
  models: ModelSummary[];
}

const OPTION_KEYS = [...CORE_OPTION_KEYS, 'baseUrl'] as const;

/** Reads `OLLAMA_HOST` as Ollama's own client does: only spaces or quotes is unset. */
function envHost(): string | undefined {
  const host = process.env.OLLAMA_HOST;
  return host?.replace(/["'\s]/g, '') ? host : undefined;
}

/**
 * An Ollama client with a connection pool, rate limiting, a circuit breaker, retries, a response
 * cache, token accounting, deadlines, typed errors, statistics and events, all on by default.
 * The request path is `@x/provider-core`'s; this class is Ollama's wire and what only Ollama has
 * (`num_ctx`, `/api/show`, silent-truncation checks, `OLLAMA_HOST`).
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
  readonly #core: ProviderCore;
  readonly #modelInfo = new Map<string, Promise<ModelInfo>>();
  #models: ModelSummary[] | undefined;

  constructor(options: OllamaProviderOptions = {}) {
    if (typeof options !== 'object' || options === null) fail('options', 'an object', options);
    expectKnownKeys(undefined, options, OPTION_KEYS);
    const fromEnv = options.baseUrl === undefined ? envHost() : undefined;
    const rawBase = options.baseUrl ?? fromEnv ?? DEFAULT_BASE_URL;
    if (typeof rawBase !== 'string') fail('baseUrl', 'a URL string', rawBase);
    this.baseUrl = normaliseBaseUrl(rawBase, fromEnv !== undefined ? 'OLLAMA_HOST' : 'baseUrl');
    const tokens = options.tokens;
    const numCtx = (tokens as { numCtx?: unknown } | undefined)?.numCtx;
    if (typeof tokens === 'object' && tokens !== null && numCtx !== undefined) {
      expectNumber('tokens.numCtx', numCtx, { min: 1, integer: true });
    }
    this.#core = new ProviderCore({
      identity: { id: 'ollama', label: 'Ollama', pkg: 'provider-ollama', tokens: 'ollama' },
      baseUrl: this.baseUrl,
      options,
      kit: OLLAMA_ERRORS,
      httpError: mapHttpError,
      auth: (key) => ({ authorization: `Bearer ${key}` }),
      local: !/(^|\.)ollama\.com$/i.test(new URL(this.baseUrl).hostname),
      defaults: {
        requestsPerSecond: rateLimitPresets.ollama.ratePerSecond,
        breaker: breakerPresets.ollama,
      },
      tokenKeys: ['numCtx'],
      planner: new ContextWindows({
        configured: numCtx as number | undefined,
        info: (model, signal) => this.modelInfo(model, signal === undefined ? {} : { signal }),
        cachedInfo: (model) => this.#modelInfo.get(model),
      }),
      // A silently truncated answer is never stored.
      cacheTtl: (_request, value) =>
        (value as { response?: ChatResponse } | undefined)?.response?.truncated ? false : undefined,
    });
  }

  /**
   * Checks the server and learns its models (`/api/version`, `/api/tags`). Retries while the
   * server starts (connection refused).
   * @throws {OllamaConnectionError} when the server cannot be reached.
   */
  async initialize(options: { signal?: AbortSignal } = {}): Promise<InitializeResult> {
    this.#core.assertOpen();
    const [version, models] = await Promise.all([
      this.#core
        .request({ endpoint: '/api/version', method: 'GET', signal: options.signal })
        .then(({ text }) => {
          const parsed = this.#core.json(text, '/api/version') as { version?: unknown };
          return typeof parsed?.version === 'string' ? parsed.version : undefined;
        }),
      this.listModels(options),
    ]);
    return { version, models };
  }

  /** Models pulled on the server (`/api/tags`). */
  async listModels(options: { signal?: AbortSignal } = {}): Promise<ModelSummary[]> {
    this.#core.assertOpen();
    const { text } = await this.#core.request({
      endpoint: '/api/tags',
      method: 'GET',
      signal: options.signal,
    });
    const models = parseModelList(this.#core.json(text, '/api/tags'));
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
    if (this.#core.closed) return Promise.reject(this.#core.kit.closed());
    // An aborted caller sends nothing, not even the shared lookup.
    if (options.signal?.aborted) return Promise.reject(options.signal.reason);
    let pending = this.#modelInfo.get(model);
    if (pending === undefined) {
      // Shared by every caller: no caller's signal may abort it (each one stops waiting instead).
      const created = this.#core
        .request({ endpoint: '/api/show', method: 'POST', payload: { model }, model })
        .then(({ text }) => parseModelInfo(model, this.#core.json(text, '/api/show')));
      this.#modelInfo.set(model, created);
      created.catch(() => {
        if (this.#modelInfo.get(model) === created) this.#modelInfo.delete(model);
      });
      pending = created;
    }
    return raceAbort(pending, options.signal);
  }

  /**
   * A chat answer. Sent with `stream: false`, so no headers deadline applies: a long generation is
   * bounded by the idle deadline once the answer flows, and by `timeouts.totalMs` when set.
   * @throws {TypeError} for a malformed request, before anything is sent.
   * @throws {ContextOverflowError} when the prompt does not fit the model's window.
   */
  async complete(request: ChatRequest): Promise<ChatResponse> {
    validateChatRequest(request);
    this.#core.assertOpen();
    return this.#core.complete(CHAT, request);
  }

  /**
   * A streamed chat answer: an async iterable of chunks; the last one has `done: true` and the
   * complete `response`. Leaving the loop early aborts the request. Retries happen only before
   * the first chunk reached you. A cached answer is replayed as a stream.
   * @throws {TypeError} for a malformed request, before anything is sent.
   */
  stream(request: ChatRequest): AsyncIterable<StreamChunk> {
    validateChatRequest(request);
    this.#core.assertOpen();
    return { [Symbol.asyncIterator]: () => this.#core.stream(CHAT, NDJSON, request) };
  }

  /**
   * Embeddings (`/api/embed`), through the rate limiter, breaker and retries.
   * @throws {TypeError} for a malformed request, before anything is sent.
   */
  async embed(request: EmbedRequest): Promise<EmbedResponse> {
    validateEmbedRequest(request);
    this.#core.assertOpen();
    return this.#core.complete(EMBED, request);
  }

  /** Health without generating tokens; never throws for a down server. See {@link checkHealth}. */
  health(options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<HealthReport> {
    return checkHealth(this.#core, options);
  }

  /** A JSON-serialisable snapshot of the counters. Never resets them. */
  stats(): ProviderStats {
    return this.#core.stats();
  }

  /** Every statistic in the Prometheus text format, plus breaker, limiter, cache and pool state. */
  toPrometheus(): string {
    return this.#core.toPrometheus();
  }

  /** Called before every retry. Returns an unsubscribe function. */
  onRetry(listener: (event: RetryEvent) => void): () => void {
    return this.#core.on('retry', listener);
  }

  /** Called when a call fails. Returns an unsubscribe function. */
  onError(listener: (event: ErrorEvent) => void): () => void {
    return this.#core.on('error', listener);
  }

  /** Called when a call succeeds (cache hits included). Returns an unsubscribe function. */
  onResponse(listener: (event: ResponseEvent) => void): () => void {
    return this.#core.on('response', listener);
  }

  /** Called when a response is flagged as silently truncated. Returns an unsubscribe function. */
  onTruncated(listener: (event: TruncatedEvent) => void): () => void {
    return this.#core.on('truncated', listener);
  }

  /** Called when `num_ctx` is raised for a model. Returns an unsubscribe function. */
  onContextRaised(listener: (event: ContextRaisedEvent) => void): () => void {
    return this.#core.on('context-raised', listener);
  }

  /** Models learnt by {@link initialize} or {@link listModels}, if any. */
  get models(): ModelSummary[] | undefined {
    return this.#models;
  }

  /** The breaker in use, if any (to read `state` or call `open()`/`isolate()`). */
  get breaker(): Breaker | undefined {
    return this.#core.breaker;
  }

  /** The rate limiter in use, if any. */
  get rateLimiter(): RateLimiter | undefined {
    return this.#core.rateLimiter;
  }

  /** The cache in use, if any. */
  get cache(): Cache | undefined {
    return this.#core.cache;
  }

  /** The connection pool in use, if any. */
  get pool(): Pool | undefined {
    return this.#core.pool;
  }

  /**
   * Stops accepting requests and closes what the provider created (pool, limiter); shared
   * instances are left open. Every caller waits for the same closing. Idempotent.
   */
  close(): Promise<void> {
    return this.#core.close();
  }

  /** `await using ollama = createOllamaProvider()` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
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
