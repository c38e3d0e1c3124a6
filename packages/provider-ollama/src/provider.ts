import { breakerPresets } from '@x/breaker';
import { callOptions, fail, SIGNAL_KEYS } from '@x/internal';
import { type ContextRaisedEvent, ProviderCore, ProviderFacade } from '@x/provider-core';
import { rateLimitPresets } from '@x/rate-limit';
import { AfterWait } from './after-wait';
import { hasBlob, pushBlob } from './blobs';
import { ContextWindows } from './context';
import { createBody, transferBody } from './create-body';
import { EmbeddingLengths } from './embedding-lengths';
import { OLLAMA_ERRORS } from './error-kit';
import { checkHealth } from './health';
import { InFlightStreams } from './in-flight';
import { type OllamaProviderOptions, resolveOptions } from './options';
import { type InitializeResult, ServerApi } from './server-api';
import { ServerFeatures } from './server-features';
import type {
  BlobData,
  ChatRequest,
  ChatResponse,
  CopyRequest,
  CreateRequest,
  EmbedRequest,
  EmbedResponse,
  GenerateChunk,
  GenerateRequest,
  GenerateResponse,
  HealthReport,
  LoadedModel,
  ModelInfo,
  ModelSummary,
  ProgressEvent,
  PullRequest,
  PushBlobOptions,
  StreamChunk,
} from './types';
import {
  REQUEST_FIELDS,
  validateChatRequest,
  validateEmbedRequest,
  validateGenerateRequest,
} from './validate';
import { CHAT, CHAT_WHOLE, NDJSON } from './wire/chat';
import { EMBED } from './wire/embed';
import { GENERATE, GENERATE_WHOLE } from './wire/generate';
import { classifyOllamaError, mapHttpError } from './wire/http-errors';

/**
 * The options of the calls that take nothing but a signal (`listModels()`, `ps()`, `hasBlob()`...):
 * aborting it ends the call, which rejects with `signal.reason`. Checked before anything is sent:
 * an unknown key, or a `signal` that is not an `AbortSignal`, is a `TypeError` naming it.
 */
export type Signal = { signal?: AbortSignal | undefined };

/** The keys of `initialize()`'s options. */
const INITIALIZE_KEYS = ['signal', 'timeoutMs'] as const;
const SHOW_KEYS = ['signal', 'verbose'] as const;

/**
 * A silently truncated answer is never stored. One function for every provider, so that providers
 * sharing a cache (`share: { cache }`) ask for it with equal options. (A load or unload request,
 * no messages or an empty prompt, has no cache key: `wire/chat.ts`, `wire/generate.ts`.)
 */
function keepTruncatedOut(_request: object, value: unknown): false | undefined {
  const response = (value as { response?: ChatResponse | undefined } | undefined)?.response;
  return response?.truncated ? false : undefined;
}

/**
 * An Ollama client with a connection pool, rate limiting, a circuit breaker, retries, a response
 * cache, token accounting, deadlines, typed errors, statistics and events, all on by default. The
 * request path is `@x/provider-core`'s; this class is Ollama's wire (`wire/`) and what only Ollama
 * has: `num_ctx` (`context.ts`), model management (`server-api.ts`), health (`health.ts`).
 *
 * @example
 * const ollama = createOllamaProvider();
 * const answer = await ollama.complete({ model: 'llama3.2', messages: [{ role: 'user', content: 'Hi' }] });
 */
export class OllamaProvider extends ProviderFacade {
  /** The normalised base URL. */
  readonly baseUrl: string;
  /**
   * The top-level fields a request of `complete()`/`stream()` (`chat`) and of `embed()` may hold;
   * any other is a `TypeError`. `@x/router` reads it to drop another provider's fields from a
   * request sent here (`dropUnknownFields`).
   * @example
   * ollama.requestFields.chat.has('think'); // true
   */
  readonly requestFields: {
    readonly chat: ReadonlySet<string>;
    readonly embed: ReadonlySet<string>;
  } = REQUEST_FIELDS;
  readonly #core: ProviderCore;
  readonly #server: ServerApi;
  readonly #streams = new InFlightStreams();
  /** The operations `complete()` and `generate()` use (`completeAs`). */
  readonly #chat: typeof CHAT;
  readonly #generate: typeof GENERATE;
  readonly #windows: ContextWindows;
  /** What a request asks of this server beyond its shape: its version, gpt-oss's `think`. */
  readonly #features: ServerFeatures;
  readonly #admitGeneration = (request: ChatRequest | GenerateRequest) =>
    this.#features.admitGeneration(request, request.signal);
  /** Models' embedding lengths learnt from answers shorter than `dimensions` asked. */
  readonly #embedLengths = new EmbeddingLengths();
  readonly #admitEmbed = (request: EmbedRequest) => {
    this.#embedLengths.check(request);
    return this.#features.admitEmbed(request, request.signal);
  };

  constructor(options: OllamaProviderOptions = {}) {
    super();
    const resolved = resolveOptions(options);
    this.baseUrl = resolved.baseUrl;
    this.#chat = resolved.whole ? CHAT_WHOLE : CHAT;
    this.#generate = resolved.whole ? GENERATE_WHOLE : GENERATE;
    this.#windows = new ContextWindows({
      configured: resolved.numCtx,
      cloud: resolved.cloud,
      info: (model, signal) => this.#server.modelInfo(model, signal),
      loaded: (signal) => this.#server.loadedHint(signal),
    });
    this.#core = new ProviderCore({
      identity: { id: 'ollama', label: 'Ollama', pkg: 'provider-ollama', tokens: 'ollama' },
      baseUrl: this.baseUrl,
      options: resolved.core,
      kit: OLLAMA_ERRORS,
      httpError: mapHttpError,
      auth: (key) => ({ authorization: `Bearer ${key}` }),
      local: !resolved.cloud,
      defaults: {
        requestsPerSecond: rateLimitPresets.ollama.ratePerSecond,
        breaker: { ...breakerPresets.ollama, classify: classifyOllamaError },
      },
      tokenKeys: ['numCtx'],
      // A prompt too long for its window is cut to half of it, plus two (ollama/ollama#17427).
      truncationKeeps: (window) => Math.floor(window / 2) + 2,
      planner: this.#windows,
      // The audit trail names where a key came from (`OLLAMA_API_KEY`, as ollama-js reads it).
      apiKeyEnv:
        options.apiKey === undefined && resolved.core.apiKey !== undefined
          ? 'OLLAMA_API_KEY'
          : undefined,
      cacheTtl: keepTruncatedOut,
    });
    this.attach(this.#core);
    this.#server = new ServerApi(this.#core, (model) => {
      this.#windows.forget(model);
      this.#embedLengths.forget(model);
    });
    this.#features = new ServerFeatures({
      version: (signal) => this.#server.version(signal),
      info: (model, signal) => this.#server.modelInfo(model, signal),
      current: resolved.cloud,
    });
    // The server went away: it may come back as another version (an upgrade is a restart).
    this.#core.on('error', (event) => {
      if (event.code === 'X_PROVIDER_OLLAMA_CONNECTION') this.#features.forget();
    });
  }

  /**
   * `start()` once the request may be sent: at once, or after {@link ServerFeatures}' look, whose
   * deadline then says the request to `op`'s endpoint was not sent.
   */
  #streamAdmitted<T>(
    request: ChatRequest | GenerateRequest,
    op: { readonly endpoint: string },
    start: () => AsyncGenerator<T, void, undefined>,
  ): AsyncGenerator<T, void, undefined> {
    const wait = this.#features.admitGeneration(request, request.signal);
    if (wait === undefined) return start();
    const looked = wait.catch((error: unknown) => {
      throw this.#core.lookupFailure(error, op);
    });
    return new AfterWait(looked, start);
  }

  /**
   * Waits for the server to be ready (with backoff, up to `timeoutMs`, default 30 s), then learns
   * its version and models (`/api/version`, `/api/tags`).
   * @throws {OllamaConnectionError} naming the address when it is not ready in time.
   * @throws {TypeError | RangeError} for malformed options, before anything is sent.
   */
  async initialize(
    options?: Signal & { timeoutMs?: number | undefined },
  ): Promise<InitializeResult> {
    const result = await this.#server.initialize(callOptions(options, INITIALIZE_KEYS));
    this.#features.learn(result.version);
    return result;
  }

  /** Models pulled on the server (`/api/tags`). */
  async listModels(options?: Signal): Promise<ModelSummary[]> {
    return this.#server.listModels(callOptions(options, SIGNAL_KEYS).signal);
  }

  /** `/api/show` mapped (trained context, capabilities...), cached per model. */
  async modelInfo(model: string, options?: Signal): Promise<ModelInfo> {
    return this.#server.modelInfo(model, callOptions(options, SIGNAL_KEYS).signal);
  }

  /**
   * The raw `/api/show` answer, as ollama-js `show()` returns it. `verbose: true` sends Ollama's
   * `verbose`, which adds the long arrays of `model_info` (the tokenizer's tokens, merges...):
   * megabytes for a large vocabulary.
   */
  async show(
    model: string,
    options?: Signal & { verbose?: boolean | undefined },
  ): Promise<Record<string, unknown>> {
    const { signal, verbose } = callOptions(options, SHOW_KEYS);
    if (verbose !== undefined && typeof verbose !== 'boolean') {
      fail('options.verbose', 'a boolean', verbose);
    }
    return this.#server.show(model, signal, verbose === true);
  }

  /** Models loaded in memory (`/api/ps`), with the window each really runs with. */
  async ps(options?: Signal): Promise<LoadedModel[]> {
    return this.#server.ps(callOptions(options, SIGNAL_KEYS).signal);
  }

  /** The server's version (`/api/version`). */
  async version(options?: Signal): Promise<string | undefined> {
    const version = await this.#server.version(callOptions(options, SIGNAL_KEYS).signal);
    this.#features.learn(version);
    return version;
  }

  /**
   * A chat answer (`/api/chat`) through the whole request path.
   * @throws {TypeError | RangeError} for a malformed request before anything is sent: a wrong
   * type or an unknown key is a `TypeError`, a wrong value of the right type a `RangeError`.
   */
  complete(request: ChatRequest): Promise<ChatResponse> {
    return this.completeWith(this.#chat, request, validateChatRequest, this.#admitGeneration);
  }

  /**
   * A streamed chat answer; the last chunk has `done: true` and the `response`. Leaving the loop
   * aborts the request; retries happen only before the first chunk; a cached answer is replayed.
   */
  stream(request: ChatRequest): AsyncIterable<StreamChunk> {
    validateChatRequest(request);
    const core = this.openCore();
    return this.#streams.iterable(request, (r, ended) =>
      this.#streamAdmitted(r, CHAT, () => core.stream(CHAT, NDJSON, r, ended)),
    );
  }

  /** A completion (`/api/generate`) through the whole request path. */
  generate(request: GenerateRequest): Promise<GenerateResponse> {
    return this.completeWith(
      this.#generate,
      request,
      validateGenerateRequest,
      this.#admitGeneration,
    );
  }

  /** A streamed completion, as {@link stream} for chat. */
  streamGenerate(request: GenerateRequest): AsyncIterable<GenerateChunk> {
    validateGenerateRequest(request);
    const core = this.openCore();
    return this.#streams.iterable(request, (r, ended) =>
      this.#streamAdmitted(r, GENERATE, () => core.stream(GENERATE, NDJSON, r, ended)),
    );
  }

  /**
   * Embeddings (`/api/embed`) through the rate limiter, breaker, retries and cache.
   * @throws {EmbeddingDimensionsError} when the vectors are not `dimensions` long (more than the
   * model's length: Ollama answers full-length vectors), or before sending once that is known.
   */
  embed(request: EmbedRequest): Promise<EmbedResponse> {
    const answer = this.completeWith(EMBED, request, validateEmbedRequest, this.#admitEmbed);
    // Only a request with `dimensions` can teach a model's length: the others keep one promise.
    return (request as Partial<EmbedRequest> | null)?.dimensions === undefined
      ? answer
      : answer.catch(this.#embedLengths.learn);
  }

  /** Downloads a model: its progress, ending with `success`. Abortable; not through the breaker. */
  pull(request: PullRequest): AsyncIterable<ProgressEvent> {
    const body = transferBody(request, 'pull');
    return this.#streams.iterable(request, (r, ended) =>
      this.#server.progress('/api/pull', body, r.model, r.signal, ended),
    );
  }

  /** Uploads a model to its registry: its progress, ending with `success`. */
  push(request: PullRequest): AsyncIterable<ProgressEvent> {
    const body = transferBody(request, 'plain');
    return this.#streams.iterable(request, (r, ended) =>
      this.#server.progress('/api/push', body, r.model, r.signal, ended),
    );
  }

  /** Creates a model (from another, with a system prompt, parameters...): its progress. */
  create(request: CreateRequest): AsyncIterable<ProgressEvent> {
    const body = createBody(request);
    return this.#streams.iterable(request, (r, ended) =>
      // A missing `from` is the model an error line names (Ollama pulls it first).
      this.#server.progress('/api/create', body, r.model, r.signal, ended, r.from ?? null),
    );
  }

  /** Deletes a model from the server (`/api/delete`). */
  async deleteModel(model: string, options?: Signal): Promise<void> {
    return this.#server.deleteModel(model, callOptions(options, SIGNAL_KEYS).signal);
  }

  /** Copies a model under another name (`/api/copy`). */
  copyModel(request: CopyRequest): Promise<void> {
    return this.#server.copyModel(request);
  }

  /**
   * True when the server holds the blob (`HEAD /api/blobs/:digest`), false when it answers
   * Ollama's JSON 404.
   * @throws {TypeError | RangeError} before anything is sent, for a digest that is not a string
   * (`TypeError`) or a string of another shape (`RangeError`).
   * @throws {OllamaApiError} for a 404 that is not JSON (a wrong `baseUrl`: the message names the
   * URL asked) and any other error status.
   * @example
   * if (!(await ollama.hasBlob(digest))) await ollama.pushBlob(bytes, { digest });
   */
  hasBlob(digest: string, options?: Signal): Promise<boolean> {
    return hasBlob(this.#core, digest, options);
  }

  /**
   * Uploads a file as a blob (`POST /api/blobs/:digest`), for `create({ files, adapters })`;
   * returns its `sha256:` digest. `data` is a `Uint8Array` (hashed here unless `digest` is given;
   * retried like any call) or a stream of `Uint8Array` (`fs.createReadStream`; `digest` required;
   * streamed, sent once and never retried). The server's `digest mismatch` is an `OllamaApiError`
   * (400), not retried.
   * @throws {TypeError | RangeError} for bad arguments, before anything is sent.
   * @example
   * const digest = await ollama.pushBlob(await readFile('model.gguf'));
   * for await (const _ of ollama.create({ model: 'mine', files: { 'model.gguf': digest } }));
   */
  pushBlob(data: BlobData, options: PushBlobOptions = {}): Promise<string> {
    return pushBlob(this.#core, data, options);
  }

  /** Aborts every stream in flight (chat, generate, pull, push, create), as ollama-js `abort()`. */
  abortAll(): void {
    this.#streams.abortAll(new DOMException('Aborted by abortAll()', 'AbortError'));
  }

  /** Health without generating tokens; never throws for a down server. */
  health(options: Signal & { timeoutMs?: number | undefined } = {}): Promise<HealthReport> {
    return checkHealth(this.#core, options);
  }

  /** Called when `num_ctx` is raised for a model. Returns an unsubscribe function. */
  onContextRaised(listener: (event: ContextRaisedEvent) => void): () => void {
    return this.#core.on('context-raised', listener);
  }

  /** Models learnt by {@link initialize} or {@link listModels}, if any. */
  get models(): ModelSummary[] | undefined {
    return this.#server.models;
  }
}

/** Creates an {@link OllamaProvider}. */
export function createOllamaProvider(options?: OllamaProviderOptions): OllamaProvider {
  return new OllamaProvider(options);
}
