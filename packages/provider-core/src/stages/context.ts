import { estimateTokens, type Provider, type ChatMessage as TokensChatMessage } from '@x/tokens';
import type { ResolvedTokens } from '../compose/pieces';
import type { ErrorKit } from '../errors';
import type { ProviderTopics } from '../observe/events';
import type { StatsRecorder } from '../observe/stats';
import type { ChatMessage } from '../types';

/** What the prompt estimate counts: messages (with tools) or a plain text. */
export interface PromptInput {
  messages?: readonly ChatMessage[];
  text?: string;
  tools?: readonly unknown[];
}

/** Where a provider's context windows come from. */
export interface ContextPlanner<Request> {
  /** The window a request sets itself, if any: used as is, never enlarged, nothing added. */
  requested(request: Request): number | undefined;
  /** The window the provider uses for a model, when known without asking the server. */
  known(model: string): number | undefined;
  /** Learns the window of a model (server metadata) and returns it; also its trained maximum. */
  lookup(
    model: string,
    signal: AbortSignal | undefined,
  ): Promise<{ window: number | undefined; trained: number | undefined }>;
  /**
   * With `onOverflow: 'raise'`: a window of at least `needed` tokens for the model (kept for later
   * calls), or `undefined` when the model cannot have one.
   */
  enlarge?(
    model: string,
    needed: number,
    signal: AbortSignal | undefined,
  ): Promise<{ from: number; to: number } | { trained: number | undefined } | undefined>;
  /** The model's trained maximum, when already known (named in an overflow error). */
  trained?(model: string): Promise<number | undefined>;
}

/** What the tokens step decided for one request. */
export interface Prepared {
  /** The window to ask the server for (Ollama's `num_ctx`); undefined when the request set one. */
  numCtx: number | undefined;
  /** The window the request runs with, when known. */
  window: number | undefined;
  estimate: number | undefined;
  /** Tokens charged to the rate limiter. */
  charged: number | undefined;
  queueWaitMs: number | undefined;
}

/** The part of an operation the tokens step reads. */
export interface ContextInput<Request> {
  model(request: Request): string;
  prompt?(request: Request): PromptInput;
  /** True when the prompt is checked against the model's window (chat, generate). */
  readonly checksContext: boolean;
  /** Tokens the request reserves for the answer (its `maxTokens`), when it says. */
  reserve?(request: Request): number | undefined;
}

/**
 * The tokens step: estimates the prompt (with the calibrator), picks the window and checks the
 * fit. Without a promise in the common case (window known, prompt fits); anything else takes the
 * asynchronous path (a server lookup, a raise).
 */
export class ContextStage<Request> {
  readonly #tokens: ResolvedTokens | undefined;
  readonly #provider: Provider;
  readonly #planner: ContextPlanner<Request> | undefined;
  readonly #kit: ErrorKit;
  readonly #stats: StatsRecorder;
  readonly #topics: ProviderTopics;

  constructor(init: {
    tokens: ResolvedTokens | undefined;
    provider: Provider;
    planner: ContextPlanner<Request> | undefined;
    kit: ErrorKit;
    stats: StatsRecorder;
    topics: ProviderTopics;
  }) {
    this.#tokens = init.tokens;
    this.#provider = init.provider;
    this.#planner = init.planner;
    this.#kit = init.kit;
    this.#stats = init.stats;
    this.#topics = init.topics;
  }

  get tokens(): ResolvedTokens | undefined {
    return this.#tokens;
  }

  /** The estimated prompt tokens, or undefined (tokens off, nothing to count, an odd input). */
  estimate(op: ContextInput<Request>, request: Request): number | undefined {
    const tokens = this.#tokens;
    if (tokens === undefined || op.prompt === undefined) return undefined;
    const input = op.prompt(request);
    try {
      const options = {
        model: op.model(request),
        provider: this.#provider,
        ...(input.tools !== undefined ? { tools: input.tools as never } : {}),
        ...(tokens.calibrator !== undefined ? { calibrator: tokens.calibrator } : {}),
      };
      // `@x/tokens` counts every string field of a message: the fields a server renders.
      const messages = input.messages as readonly TokensChatMessage[] | undefined;
      return estimateTokens(messages ?? input.text ?? '', options).tokens;
    } catch {
      return undefined;
    }
  }

  #reserve(op: ContextInput<Request>, request: Request): number {
    const asked = op.reserve?.(request);
    return asked !== undefined && asked > 0 ? asked : (this.#tokens?.reserveOutputTokens ?? 0);
  }

  /** The tokens step. `estimateForLimiter` asks for an estimate even without a context check. */
  prepare(
    op: ContextInput<Request>,
    request: Request,
    signal: AbortSignal | undefined,
    estimateForLimiter: boolean,
  ): Prepared | Promise<Prepared> {
    const planner = this.#planner;
    const explicit = op.checksContext ? planner?.requested(request) : undefined;
    if (this.#tokens === undefined || !op.checksContext || planner === undefined) {
      return {
        numCtx: undefined,
        window: explicit,
        estimate:
          this.#tokens !== undefined && (op.checksContext || estimateForLimiter)
            ? this.estimate(op, request)
            : undefined,
        charged: undefined,
        queueWaitMs: undefined,
      };
    }
    const window = explicit ?? planner.known(op.model(request));
    if (window === undefined) return this.#prepareSlow(op, request, signal, explicit);
    const estimate = this.estimate(op, request);
    if (
      estimate !== undefined &&
      estimate + this.#reserve(op, request) > window &&
      this.#tokens.onOverflow !== 'allow'
    ) {
      return this.#prepareSlow(op, request, signal, explicit);
    }
    return {
      numCtx: explicit === undefined ? window : undefined,
      window,
      estimate,
      charged: undefined,
      queueWaitMs: undefined,
    };
  }

  async #prepareSlow(
    op: ContextInput<Request>,
    request: Request,
    signal: AbortSignal | undefined,
    explicit: number | undefined,
  ): Promise<Prepared> {
    const tokens = this.#tokens!;
    const planner = this.#planner!;
    const model = op.model(request);
    const prepared: Prepared = {
      numCtx: undefined,
      window: explicit,
      estimate: this.estimate(op, request),
      charged: undefined,
      queueWaitMs: undefined,
    };
    let trained: number | undefined;
    if (explicit === undefined) {
      let window = planner.known(model);
      if (window === undefined) {
        const looked = await planner.lookup(model, signal);
        window = looked.window;
        trained = looked.trained;
      }
      prepared.window = window;
      prepared.numCtx = window;
    }
    const estimate = prepared.estimate;
    if (estimate === undefined || prepared.window === undefined) return prepared;
    const reserve = this.#reserve(op, request);
    const needed = estimate + reserve;
    if (needed <= prepared.window || tokens.onOverflow === 'allow') return prepared;
    if (tokens.onOverflow === 'raise' && explicit === undefined && planner.enlarge !== undefined) {
      const raised = await planner.enlarge(model, needed, signal);
      if (raised !== undefined && 'to' in raised) {
        prepared.window = raised.to;
        prepared.numCtx = raised.to;
        this.#stats.contextRaises++;
        if (this.#topics['context-raised'].active) {
          this.#topics['context-raised'].emit({
            model,
            from: raised.from,
            to: raised.to,
            promptTokens: estimate,
          });
        }
        return prepared;
      }
      const limit = raised?.trained;
      throw this.#kit.contextOverflow({
        model,
        promptTokens: estimate,
        reserveOutputTokens: reserve,
        contextWindow: limit,
        trainedContextLength: limit,
        source: 'estimate',
      });
    }
    throw this.#kit.contextOverflow({
      model,
      promptTokens: estimate,
      reserveOutputTokens: reserve,
      contextWindow: prepared.window,
      trainedContextLength: trained ?? (await planner.trained?.(model)),
      source: 'estimate',
    });
  }
}
