import { type BreakerOptions, breakerPresets } from '@x/breaker';
import { callOptions, fail, isPlainObject, LazyIterable, SIGNAL_KEYS } from '@x/internal';
import { classifyForBreaker, type Operation, ProviderCore, ProviderFacade } from '@x/provider-core';
import { ModelWindows } from './context';
import { openAIErrorKit } from './error-kit';
import { isRateLimitedError } from './errors';
import { checkHealth } from './health';
import { historyFieldsOf } from './history-fields';
import { keyHeaderOf, refusedKeyHint } from './key-hint';
import { LimitLearner } from './limits';
import { type OpenAIProviderOptions, resolveConnection, validateOptions } from './options';
import { type EmbeddingInputRules, type OpenAIPresetName, openAIPresets } from './presets';
import { expectAcceptedFields, expectEmbedInputAccepted } from './server-refusals';
import type {
  ChatRequest,
  ChatResponse,
  EmbedRequest,
  EmbedResponse,
  HealthReport,
  ModelSummary,
  ServerLimits,
  StreamChunk,
} from './types';
import { type RequestFields, requestFieldsOf, validateChatRequest } from './validate';
import { validateEmbedRequest } from './validate-embed';
import { chatOperation, SSE } from './wire/chat';
import { embedOperation } from './wire/embeddings';
import { mapHttpError } from './wire/http-errors';
import { parseModelList } from './wire/models';

/**
 * The breaker counts what the server's health explains. A 429 that a retry may fix is the
 * client's pace, which the limiter already matches to the server: it does not open the breaker.
 * Nor does a request too large for the tier's per-minute limit: one caller's oversized request,
 * as a prompt over the context window is, while the server serves every other.
 */
const classify: NonNullable<BreakerOptions['classify']> = (error, context) =>
  isRateLimitedError(error) && (error.retryable || error.requestTooLarge)
    ? 'ignore'
    : classifyForBreaker(error, context);

/** The endpoints whose rate-limit headers pace the limiter (the ones that go through it). */
const LIMITED_ENDPOINTS = ['/chat/completions', '/embeddings'];

/**
 * A client of OpenAI's Chat Completions, Embeddings and Models APIs, and of every API that speaks
 * them (Gemini, Groq, Mistral, DeepSeek, Together, Perplexity, vLLM, LM Studio, Ollama's `/v1`),
 * with a connection pool, a rate limiter that learns the server's limits from its headers, a
 * circuit breaker, retries, a response cache, token accounting, deadlines, typed errors,
 * statistics and events. The request path is `@x/provider-core`'s; this class is the OpenAI wire.
 *
 * @example
 * const openai = createOpenAIProvider(); // OPENAI_API_KEY, OPENAI_BASE_URL
 * const answer = await openai.complete({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
 * console.log(answer.content);
 */
export class OpenAIProvider extends ProviderFacade {
  /** The normalised base URL (with its `/v1`). */
  readonly baseUrl: string;
  /** The preset in use: a built-in preset's name, or the `name` of a preset of your own. */
  readonly preset: OpenAIPresetName | (string & {});
  /**
   * The top-level fields a request of `complete()`/`stream()` (`chat`) and of `embed()` may hold
   * on this preset (the fields its server refuses left out: Groq's `logitBias`); any other is a
   * `TypeError`. `@x/router` reads it to drop another provider's fields from a request sent here
   * (`dropUnknownFields`).
   * @example
   * openai.requestFields.chat.has('responseFormat'); // true
   */
  readonly requestFields: RequestFields;
  /**
   * What the preset's server takes as `/embeddings` input (token ids, empty texts, how many
   * items), checked before sending: OpenAI's limits only where requests go to OpenAI's API (the
   * `openai` preset at a gateway takes any, the gateway's to judge; `tokenIds` is true at both).
   * `@x/router` reads `tokenIds` for the default of a deployment's `embedTokenIds`, so a preset of
   * your own is judged by its rules, not its name.
   */
  readonly embeddingInput: EmbeddingInputRules;
  readonly #core: ProviderCore;
  readonly #label: string;
  readonly #chat: Operation<ChatRequest, ChatResponse>;
  /** The same, for a request with `moderation`: its answer ends with the moderation chunk. */
  readonly #moderatedChat: Operation<ChatRequest, ChatResponse>;
  readonly #embed: Operation<EmbedRequest, EmbedResponse>;
  readonly #windows: ModelWindows;
  readonly #learner: LimitLearner | undefined;
  /** A chat request's checks: its shape, then the fields the preset's server refuses. */
  readonly #validateChat: (request: ChatRequest) => void;
  /** An embeddings request's checks: its shape, then the input the preset's server refuses. */
  readonly #validateEmbed: (request: EmbedRequest) => void;
  #models: ModelSummary[] | undefined;

  constructor(options: OpenAIProviderOptions = {}) {
    super();
    validateOptions(options);
    const tokens = options.tokens as { onOverflow?: unknown } | undefined;
    if (isPlainObject(tokens) && tokens.onOverflow === 'raise') {
      fail(
        'tokens.onOverflow',
        '"error" or "allow" (an OpenAI-compatible API cannot raise a window)',
        'raise',
        true,
      );
    }
    const connection = resolveConnection(options);
    const { preset, name, family } = connection;
    this.baseUrl = connection.baseUrl;
    this.preset = name;
    this.requestFields = requestFieldsOf(preset, family);
    this.embeddingInput = preset.embeddingInput;
    this.#label = preset.label;
    const chat = (moderated: boolean) =>
      chatOperation(
        { ...preset, ...historyFieldsOf(family) },
        preset.label,
        options.completeAs !== 'whole',
        // Ollama's `/v1`, or a preset of your own that extends it: tool calls come whole.
        family === 'ollama',
        family,
        moderated,
      );
    this.#chat = chat(false);
    this.#moderatedChat = chat(true);
    this.#embed = embedOperation(preset, preset.label);
    this.#validateChat = (request) => {
      validateChatRequest(request);
      expectAcceptedFields(request, preset, family, connection.openAIServer);
    };
    this.#validateEmbed = (request) => {
      validateEmbedRequest(request);
      expectEmbedInputAccepted(request, preset);
    };
    this.#windows = new ModelWindows(
      options.contextWindows,
      preset.contextWindow,
      // The `ollama` preset's window is an assumption (the smallest default of Ollama's), which a
      // preset of your own extending it keeps unless it sets one.
      family === 'ollama' && preset.contextWindow === openAIPresets.ollama.contextWindow,
    );
    const learn = options.learnLimits !== false;
    let learner: LimitLearner | undefined;
    const authHeader = options.authHeader?.toLowerCase();
    const headers = options.headers;
    // The variable the key was read from, `apiKey` being left out (`OPENAI_API_KEY`...).
    const keyEnv =
      options.apiKey === undefined && connection.apiKey !== undefined
        ? preset.apiKeyEnv
        : undefined;
    this.#core = new ProviderCore({
      identity: { id: name, label: preset.label, pkg: 'provider-openai', tokens: preset.tokens },
      baseUrl: this.baseUrl,
      options: {
        ...options,
        apiKey: connection.apiKey,
        // An invalid `headers` goes to the core as it is, to be refused there.
        headers:
          headers === undefined || isPlainObject(headers)
            ? { ...connection.headers, ...headers }
            : headers,
      },
      kit: openAIErrorKit(
        preset.label,
        (init) => this.#windows.overflowHint(init),
        connection.reach,
      ),
      httpError: mapHttpError(
        preset.label,
        (status) =>
          refusedKeyHint(
            {
              option: options.apiKey !== undefined,
              fromEnv: options.apiKey === undefined ? keyEnv : undefined,
              callback: options.getApiKey !== undefined,
              apiKeyEnv: preset.apiKeyEnv,
              header: keyHeaderOf(headers, authHeader),
            },
            status,
          ),
        (endpoint, retryAfterMs) => learner?.rateLimited(endpoint, retryAfterMs),
      ),
      auth:
        authHeader === undefined
          ? (key) => ({ authorization: `Bearer ${key}` })
          : (key) => ({ [authHeader]: key }),
      local: preset.local,
      defaults: {
        requestsPerSecond: preset.requestsPerSecond,
        breaker: {
          ...(breakerPresets[family as keyof typeof breakerPresets] ??
            (preset.local ? breakerPresets.ollama : breakerPresets.openai)),
          classify,
        },
      },
      planner: this.#windows,
      // The audit trail names where a key came from (`OPENAI_API_KEY`, `GROQ_API_KEY`...).
      apiKeyEnv: keyEnv,
      ...(learn ? { onExchange: (endpoint: string) => learner?.observe(endpoint) } : {}),
    });
    this.attach(this.#core);
    const limiter = this.#core.rateLimiter;
    if (learn && limiter !== undefined) {
      const limit = options.rateLimit as { key?: unknown } | undefined;
      learner = new LimitLearner({
        limiter,
        key: isPlainObject(limit) && typeof limit.key === 'string' ? limit.key : name,
        endpoints: LIMITED_ENDPOINTS,
      });
    }
    this.#learner = learner;
  }

  /**
   * A chat answer (`/chat/completions`). No headers deadline applies: a long generation is bounded
   * by the idle deadline once the answer flows, and by `timeouts.totalMs` when set.
   * @throws {TypeError | RangeError} for a malformed request, before anything is sent.
   * @throws {ContextOverflowError} when the prompt does not fit the model's known window.
   */
  complete(request: ChatRequest): Promise<ChatResponse> {
    return this.completeWith(this.#chatFor(request), request, this.#validateChat);
  }

  /**
   * A streamed chat answer: an async iterable of chunks; the last one has `done: true` and the
   * complete `response` (usage included). Leaving the loop early aborts the request. Retries
   * happen only before the first chunk reached you. A cached answer is replayed as a stream.
   * @throws {TypeError | RangeError} for a malformed request, before anything is sent.
   */
  stream(request: ChatRequest): AsyncIterable<StreamChunk> {
    this.#validateChat(request);
    const core = this.openCore();
    const chat = this.#chatFor(request);
    return new LazyIterable(() => core.stream(chat, SSE, request));
  }

  /** The operation of a chat request (validated, or refused by `completeWith` before it is read). */
  #chatFor(request: ChatRequest): Operation<ChatRequest, ChatResponse> {
    return isPlainObject(request) && request.moderation !== undefined
      ? this.#moderatedChat
      : this.#chat;
  }

  /**
   * Embeddings (`/embeddings`), cached under the default strategy (they are deterministic).
   * @throws {TypeError | RangeError} for a malformed request, before anything is sent.
   */
  embed(request: EmbedRequest): Promise<EmbedResponse> {
    return this.completeWith(this.#embed, request, this.#validateEmbed);
  }

  /**
   * The models the key may use (`/models`); their context windows, where listed, are learnt.
   * @throws {TypeError} for malformed options (an unknown key, a `signal` that is not one), before
   * anything is sent.
   */
  async listModels(options?: { signal?: AbortSignal | undefined }): Promise<ModelSummary[]> {
    const { signal } = callOptions(options, SIGNAL_KEYS);
    this.#core.assertOpen();
    const { text } = await this.#core.request({
      endpoint: '/models',
      method: 'GET',
      purpose: 'the models the key may use',
      signal,
    });
    const models = parseModelList(this.#core.json(text, '/models'), this.#label, this.#core);
    this.#windows.listed(models);
    this.#models = models;
    return models;
  }

  /**
   * Health without generating tokens (one `GET /models`, plus the state of every piece); never
   * throws for a down server.
   * @throws {TypeError | RangeError} for malformed options (an unknown key, a `signal` that is not
   * one, a `timeoutMs` below 1), before anything is sent.
   */
  health(
    options: { signal?: AbortSignal | undefined; timeoutMs?: number | undefined } = {},
  ): Promise<HealthReport> {
    return checkHealth(this.#core, this.serverLimits(), this.#label, options);
  }

  /** What the server's rate-limit headers said last (undefined before any, or with `learnLimits: false`). */
  serverLimits(): ServerLimits | undefined {
    return this.#learner?.snapshot();
  }

  /** Models learnt by {@link listModels}, if any. */
  get models(): ModelSummary[] | undefined {
    return this.#models;
  }
}

/**
 * Creates an {@link OpenAIProvider}.
 *
 * @example
 * const groq = createOpenAIProvider({ preset: 'groq', apiKey: process.env.GROQ_API_KEY });
 * const { content } = await groq.complete({
 *   model: 'llama-3.3-70b-versatile',
 *   messages: [{ role: 'user', content: 'Why is the sky blue?' }],
 * });
 */
export function createOpenAIProvider(options?: OpenAIProviderOptions): OpenAIProvider {
  return new OpenAIProvider(options);
}
