import {
  anySignal,
  BoundedMap,
  expectDuration,
  expectKnownKeys,
  fail,
  isPlainObject,
  optionalSignal,
  quoted,
  SharedFlight,
  sleep,
} from '@x/internal';
import type { ProviderCore } from '@x/provider-core';
import { EMPTY_PARTIAL } from '@x/provider-core';
import {
  isOllamaApiError,
  isOllamaConnectionError,
  isOllamaTimeoutError,
  isServerBusyError,
  OllamaConnectionError,
  OllamaStreamError,
} from './errors';
import { modelName } from './model-name';
import type { CopyRequest, LoadedModel, ModelInfo, ModelSummary, ProgressEvent } from './types';
import { NDJSON } from './wire/chat';
import { modelKey, parseLoadedModels, parseModelInfo, parseModelList } from './wire/models';
import { parseProgress } from './wire/progress';

/** Result of {@link OllamaProvider.initialize}. */
export interface InitializeResult {
  version: string | undefined;
  models: ModelSummary[];
}

/** Models whose `/api/show` answer is remembered (one lookup per model, bounded memory). */
const MAX_MODELS = 256;

/** A server that is still starting: refused, reset, busy loading, or not answering yet. */
/** Less time than this left before `initialize()`'s deadline: no probe is worth starting. */
const LAST_PROBE_MS = 20;

function stillStarting(error: unknown): boolean {
  return (
    isOllamaConnectionError(error) ||
    isServerBusyError(error) ||
    isOllamaTimeoutError(error) ||
    (isOllamaApiError(error) && error.statusCode >= 502)
  );
}

/** A duration as a message shows it: `30 s`, `1.4 s`, `700 ms`. */
function seconds(ms: number): string {
  return ms < 1_000 ? `${Math.round(ms)} ms` : `${Math.round(ms / 100) / 10} s`;
}

/** What an `/api/show` call asks for, as its timeout error names it. */
function modelDetails(model: string): string {
  return `the details of model ${quoted(model)}`;
}

/**
 * Everything about the server's models: what it has (`/api/tags`, `/api/show`, `/api/ps`,
 * `/api/version`) and managing them (pull, push, create, copy, delete). Metadata calls go through
 * retries and the breaker; transfers (pull, push, create) stream their progress and go through
 * neither the breaker (a registry download says nothing about serving health, and would hold a
 * probe for minutes) nor the cache, tokens or rate limit.
 */
export class ServerApi {
  readonly #core: ProviderCore;
  /** Each model's `/api/show` lookup, in flight (shared) or answered (kept as its cache). */
  readonly #modelInfo = new BoundedMap<string, SharedFlight<ModelInfo>>(MAX_MODELS);
  /** The `/api/ps` look in flight for the context windows, shared by the calls that need it. */
  #loaded: SharedFlight<LoadedModel[]> | undefined;
  /** Forgets what the context windows learnt of a model (its window plan). */
  readonly #onChanged: (model: string) => void;
  models: ModelSummary[] | undefined;

  constructor(core: ProviderCore, onChanged: (model: string) => void = () => {}) {
    this.#core = core;
    this.#onChanged = onChanged;
  }

  /**
   * Forgets what was learnt of a model the provider changed (created, deleted, copied over,
   * pulled): its `/api/show` info and its window. Entries are keyed by the name as asked, so every
   * spelling of the name goes (`mine` is `Mine:latest` to Ollama).
   */
  #changed(model: string): void {
    const key = modelKey(model);
    for (const name of [...this.#modelInfo.keys()]) {
      if (modelKey(name) === key) this.#modelInfo.delete(name);
    }
    this.#onChanged(model);
  }

  async json(
    endpoint: string,
    method: 'GET' | 'POST' | 'DELETE',
    payload: unknown,
    signal: AbortSignal | undefined,
    model?: string,
    /** What the call asks for, named in its timeout error (`request()`'s `purpose`). */
    purpose?: string,
  ): Promise<unknown> {
    this.#core.assertOpen();
    const { text } = await this.#core.request({
      endpoint,
      method,
      payload,
      model,
      purpose,
      signal,
    });
    return this.#core.json(text, endpoint);
  }

  /**
   * Waits for the server to be ready (a server that is still starting refuses connections or
   * answers 503), with backoff under its own deadline and without feeding the breaker, then learns
   * its version and models. Past the deadline: the connection error, naming the address.
   */
  async initialize(options: {
    readonly signal?: AbortSignal | undefined;
    readonly timeoutMs?: unknown;
  }): Promise<InitializeResult> {
    this.#core.assertOpen();
    const { signal } = options;
    const timeoutMs =
      options.timeoutMs === undefined
        ? 30_000
        : expectDuration('options.timeoutMs', options.timeoutMs, { min: 1 });
    const controller = new AbortController();
    const deadline = performance.now() + timeoutMs;
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    timer.unref?.();
    const joined = anySignal(signal, controller.signal);
    let text: string | undefined;
    /** What the server last answered (or how it refused), for the error once the deadline passes. */
    let last: unknown;
    try {
      for (let delay = 100; text === undefined; delay = Math.min(delay * 2, 2_000)) {
        try {
          text = await this.#core.probe('/api/version', 'GET', joined);
        } catch (error) {
          if (signal?.aborted) throw signal.reason;
          // The deadline cut this probe short: the failure before it says what was wrong.
          const cut = controller.signal.aborted;
          if (!cut && !stillStarting(error)) throw error;
          if (!cut) last = error;
          const left = deadline - performance.now();
          if (cut || left < LAST_PROBE_MS) {
            const cause = last ?? error;
            // A single refusal reads the same, so the message says how long it was tried.
            throw new OllamaConnectionError({
              origin: new URL(this.#core.baseUrl).origin,
              causeCode: isOllamaConnectionError(cause) ? cause.causeCode : undefined,
              cause,
              detail: `kept trying for ${seconds(timeoutMs)} (initialize()'s \`timeoutMs\`)`,
            });
          }
          // The backoff's next step, or half of what is left when the step would pass the
          // deadline: a server that comes up shortly before it is still seen. close() and
          // destroy() end it: the next probe would be refused.
          await sleep(
            delay < left ? delay : left / 2,
            anySignal(signal, this.#core.closeSignal),
          ).catch(() => {
            throw signal?.aborted ? signal.reason : this.#core.kit.closed();
          });
        }
      }
      const parsed = this.#core.json(text, '/api/version') as { version?: unknown };
      const version = typeof parsed?.version === 'string' ? parsed.version : undefined;
      // Within the same deadline: a server that answers its version but not its models is not
      // ready, and `timeoutMs` is the caller's bound on the whole wait.
      try {
        return { version, models: await this.listModels(joined) };
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        if (!controller.signal.aborted || isOllamaConnectionError(error)) throw error;
        throw new OllamaConnectionError({
          origin: new URL(this.#core.baseUrl).origin,
          cause: error,
          detail: `/api/tags did not answer within ${seconds(timeoutMs)} (initialize()'s \`timeoutMs\`)`,
        });
      }
    } finally {
      clearTimeout(timer);
    }
  }

  async version(signal: AbortSignal | undefined): Promise<string | undefined> {
    const parsed = (await this.json(
      '/api/version',
      'GET',
      undefined,
      signal,
      undefined,
      "the server's version",
    )) as {
      version?: unknown;
    };
    // The server's words, scrubbed as its model lists are (`wire/models.ts`).
    return typeof parsed?.version === 'string' ? this.#core.redact(parsed.version) : undefined;
  }

  async listModels(signal: AbortSignal | undefined): Promise<ModelSummary[]> {
    this.models = parseModelList(
      await this.json('/api/tags', 'GET', undefined, signal, undefined, 'the models installed'),
      this.#core,
    );
    return this.models;
  }

  async ps(signal: AbortSignal | undefined): Promise<LoadedModel[]> {
    return parseLoadedModels(
      await this.json('/api/ps', 'GET', undefined, signal, undefined, 'the models loaded'),
      this.#core,
    );
  }

  /**
   * The loaded models as a hint for the context windows: one try, no breaker and no retries (the
   * request being planned makes its own), the body capped, read whole within `firstTokenMs`.
   * Failures are the caller's to ignore. Calls that need it meanwhile share one look (a cold
   * burst of calls sent one `/api/ps` each, outside every limit): a caller whose signal aborts
   * stops waiting alone, the last one to leave cancels it (its socket let go), and it ends with
   * the provider's `destroy()`.
   */
  loadedHint(signal: AbortSignal | undefined): Promise<LoadedModel[]> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    let flight = this.#loaded;
    if (flight === undefined) {
      const forget = (): void => {
        if (this.#loaded === created) this.#loaded = undefined;
      };
      const created: SharedFlight<LoadedModel[]> = new SharedFlight(
        (shared) =>
          this.#core
            .probe('/api/ps', 'GET', shared, 256 * 1024)
            .then((text) => parseLoadedModels(this.#core.json(text, '/api/ps'), this.#core)),
        forget,
      );
      this.#loaded = created;
      created.promise.then(forget, forget);
      flight = created;
    }
    return flight.wait(signal);
  }

  /**
   * The raw `/api/show` answer (for what {@link modelInfo} does not map); `verbose` asks for the
   * long arrays of `model_info` (the tokenizer's vocabulary...) too.
   */
  async show(
    model: string,
    signal: AbortSignal | undefined,
    verbose = false,
  ): Promise<Record<string, unknown>> {
    modelName('model', model);
    const payload = verbose ? { model, verbose: true } : { model };
    const parsed = await this.json(
      '/api/show',
      'POST',
      payload,
      signal,
      model,
      modelDetails(model),
    );
    // Ollama always answers an object: anything else (`[]`, `null`, a number) is no model's
    // details, and an empty object returned for it would read as a model without any.
    if (!isPlainObject(parsed)) {
      throw new OllamaStreamError({
        reason: 'invalid-json',
        message: "Ollama's /api/show answer is not an object of model details",
        partial: EMPTY_PARTIAL,
      });
    }
    return parsed;
  }

  /**
   * `/api/show` mapped, cached per model (a failure is not cached). Callers of a model meanwhile
   * share one lookup: a caller whose signal aborts stops waiting alone (with its own reason), and
   * the last one to leave cancels the lookup, which would otherwise hold its socket and queue slot
   * against a hung server to its deadline, and is forgotten: the next caller asks afresh. A caller
   * without a signal keeps it to its end.
   */
  modelInfo(model: string, signal: AbortSignal | undefined): Promise<ModelInfo> {
    try {
      modelName('model', model);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.#core.closed) return Promise.reject(this.#core.kit.closed());
    // An aborted caller sends nothing, not even the shared lookup.
    if (signal?.aborted) return Promise.reject(signal.reason);
    let flight = this.#modelInfo.get(model);
    if (flight === undefined) {
      const forget = (): void => {
        if (this.#modelInfo.get(model) === created) this.#modelInfo.delete(model);
      };
      const created: SharedFlight<ModelInfo> = new SharedFlight(
        (shared) =>
          this.#core
            .request({
              endpoint: '/api/show',
              method: 'POST',
              payload: { model },
              model,
              purpose: modelDetails(model),
              signal: shared,
            })
            .then(({ text }) =>
              parseModelInfo(model, this.#core.json(text, '/api/show'), this.#core),
            ),
        forget,
      );
      this.#modelInfo.set(model, created);
      created.promise.catch(forget);
      flight = created;
    }
    return flight.wait(signal);
  }

  async deleteModel(model: string, signal: AbortSignal | undefined): Promise<void> {
    modelName('model', model, 'pull');
    await this.#core.request({
      endpoint: '/api/delete',
      method: 'DELETE',
      payload: { model },
      model,
      signal,
    });
    this.#changed(model);
  }

  async copyModel(request: CopyRequest): Promise<void> {
    if (!isPlainObject(request))
      fail('request', 'an object with `source` and `destination`', request);
    expectKnownKeys('request', request, ['source', 'destination', 'signal']);
    modelName('request.source', request.source, 'plain');
    modelName('request.destination', request.destination, 'plain');
    optionalSignal('request.signal', request.signal);
    await this.#core.request({
      endpoint: '/api/copy',
      method: 'POST',
      payload: { source: request.source, destination: request.destination },
      model: request.source,
      signal: request.signal,
    });
    this.#changed(request.destination);
  }

  /** Progress of `/api/pull`, `/api/push` or `/api/create` (streamed), ending with `success`. */
  progress(
    endpoint: '/api/pull' | '/api/push' | '/api/create',
    payload: Record<string, unknown>,
    model: string,
    signal: AbortSignal | undefined,
    onEnd?: () => void,
    /**
     * The model a missing-model line is about: `model` when left out; for a create its `from`,
     * `null` when it has none (a line that says a model is missing is then a stream error).
     */
    missing?: string | null,
  ): AsyncGenerator<ProgressEvent, void, undefined> {
    // A pull or a create may have replaced the model, whichever way it ended (a failed create can
    // have written part of it); a push changes nothing here.
    const ended =
      endpoint === '/api/push'
        ? onEnd
        : () => {
            this.#changed(model);
            onEnd?.();
          };
    return this.#core.messages({
      onEnd: ended,
      endpoint,
      method: 'POST',
      payload: { ...payload, stream: true },
      model,
      signal,
      format: NDJSON,
      breaker: false,
      parse: (message, redact) =>
        parseProgress(message, redact, endpoint, missing === undefined ? model : missing),
      // Ollama's last progress line: what follows it (nothing, from Ollama) is not read.
      last: (event) => event.status === 'success',
    });
  }
}
