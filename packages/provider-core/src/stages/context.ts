import {
  type ChatTool,
  type EstimateTokensAsyncOptions,
  estimateTokens,
  estimateTokensAsync,
  type Provider,
  type ChatMessage as TokensChatMessage,
} from '@x/tokens';
import type { ResolvedTokens } from '../compose/pieces';
import type { ErrorKit } from '../error-kit';
import type { ProviderTopics } from '../observe/events';
import type { StatsRecorder } from '../observe/stats';
import type { ChatMessage } from '../types';

/**
 * What the prompt estimate counts: messages (with tools) or a plain text. The messages and tools
 * are `@x/tokens`' open shapes, which take this package's messages and tools as they are and a
 * provider's wire messages (OpenAI's `tool_calls`, content parts) too: every string field counts.
 */
export interface PromptInput {
  messages?: readonly (ChatMessage | TokensChatMessage)[] | undefined;
  text?: string | undefined;
  tools?: readonly ChatTool[] | undefined;
  /**
   * Tokens the prompt carries already counted (Ollama's `context` of a previous answer, OpenAI's
   * token-array embeddings input, which has neither `messages` nor `text`).
   */
  extraTokens?: number | undefined;
}

/** The window a model runs with, and the one to ask the server for (if any). */
export interface WindowPlan {
  /** The window the server will use for the model. */
  window: number;
  /**
   * The window to send with each request (Ollama's `num_ctx`), or `undefined` to send none and let
   * the server keep the window it has: a different value makes Ollama reload the model.
   */
  send: number | undefined;
  /** The model's trained maximum, when known. */
  trained?: number | undefined;
}

/** Where a provider's context windows come from. */
export interface ContextPlanner<Request> {
  /**
   * The window a request sets itself, if any: never enlarged, nothing added, but capped at the
   * model's trained length when its plan knows it (a server runs a model with no more: Ollama cuts
   * a larger `num_ctx` to it, and would cut a prompt checked against the larger one silently).
   */
  requested(request: Request): number | undefined;
  /** The plan for a model, when known without asking the server. */
  known(model: string): WindowPlan | undefined;
  /** Learns the plan of a model (server metadata); `undefined` when no window is known (not checked). */
  lookup(model: string, signal: AbortSignal | undefined): Promise<WindowPlan | undefined>;
  /**
   * With `onOverflow: 'raise'`: a plan whose window holds `needed` tokens (kept for later calls),
   * or the trained maximum that cannot hold them.
   */
  enlarge?(
    model: string,
    needed: number,
    signal: AbortSignal | undefined,
  ): Promise<{ from: number; plan: WindowPlan } | { trained: number | undefined }>;
}

/** What the tokens step decided for one request. */
export interface Prepared {
  /**
   * The window to ask the server for (Ollama's `num_ctx`); undefined to send none (a request's
   * own window then goes as it is). For a request whose own window is past the model's trained
   * length, that length: sent in place of the request's.
   */
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

interface Estimate {
  tokens: number;
  /** Tokens the calibrator learnt the server adds (a hidden system prompt): not the prompt's own. */
  overhead: number;
}

/**
 * Prompts of this many characters or more are estimated with `estimateTokensAsync`, which counts
 * in steps and gives the event loop a turn every ~4 ms of work, and stops once the call's signal
 * aborts (its deadline included): an exact count of one 2-million-character run held the event
 * loop ~1.4 s, past the call's own abort and deadline. Below, the synchronous estimate, without a
 * promise: 8 Ki characters count in ~1 ms of prose, ~6 ms at worst (one long run), on an idle
 * 2-core machine.
 */
const COOPERATIVE_CHARS = 8_192;

/**
 * The characters of a prompt's text, up to {@link COOPERATIVE_CHARS}: a string's, or its messages'
 * content (text parts included), which is what a long prompt is made of (tool schemas and call
 * arguments are left out, as `@x/tokens`' `exactLimit` leaves them).
 */
function promptChars(prompt: string | readonly (ChatMessage | TokensChatMessage)[]): number {
  if (typeof prompt === 'string') return prompt.length;
  let chars = 0;
  for (let i = 0; i < prompt.length && chars < COOPERATIVE_CHARS; i++) {
    const content: unknown = prompt[i]?.content;
    if (typeof content === 'string') chars += content.length;
    else if (Array.isArray(content)) {
      for (const part of content) {
        const text: unknown = (part as { text?: unknown } | null)?.text;
        if (typeof text === 'string') chars += text.length;
      }
    }
  }
  return chars;
}

/**
 * A request's own window within the model's trained length, when its plan knows it. `numCtx`
 * is the capped window, to send in place of the request's own; undefined when that holds as is.
 */
function ownWindow(
  explicit: number,
  plan: WindowPlan | undefined,
): { window: number; numCtx: number | undefined } {
  const trained = plan?.trained;
  return trained !== undefined && trained < explicit
    ? { window: trained, numCtx: trained }
    : { window: explicit, numCtx: undefined };
}

/** What the tokens step decides without a context check: the estimate, for the limiter only. */
function unchecked(window: number | undefined, estimate: Estimate | undefined): Prepared {
  return {
    numCtx: undefined,
    window,
    estimate: estimate?.tokens,
    charged: undefined,
    queueWaitMs: undefined,
  };
}

/**
 * The tokens step: estimates the prompt (with the calibrator), picks the window and checks the
 * fit. Without a promise in the common case (plan known, prompt fits, shorter than 8 Ki
 * characters); anything else takes the asynchronous path (a server lookup, a long prompt's
 * count in steps, a raise).
 *
 * A prompt is refused only when its own tokens do not fit: when nothing but the calibrator's
 * learnt overhead pushes it over, it is sent, so the server's count can correct what was learnt
 * (a refusal sends nothing and could never be corrected).
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

  /**
   * `limit`: the most tokens the check can let through. A prompt whose estimate is far past it is
   * not counted exactly (`@x/tokens`' `exactLimit`): seconds of blocked event loop and hundreds of
   * megabytes for megabytes of text, only to refuse it anyway. The refusal then carries the
   * heuristic count, which the error calls "about" N tokens, as for any estimate. A long prompt
   * ({@link COOPERATIVE_CHARS}) is estimated in steps, a promise that rejects with `signal.reason`
   * once the call aborts; an estimate that fails otherwise is none, as a synchronous one.
   */
  #estimate(
    op: ContextInput<Request>,
    request: Request,
    limit: number | undefined,
    signal: AbortSignal | undefined,
  ): Estimate | undefined | Promise<Estimate | undefined> {
    const tokens = this.#tokens;
    if (tokens === undefined || op.prompt === undefined) return undefined;
    const input = op.prompt(request);
    const extra = input.extraTokens ?? 0;
    try {
      // Keys added one by one, not spread in: conditional spreads cost an allocation each.
      const options: EstimateTokensAsyncOptions = {
        model: op.model(request),
        provider: this.#provider,
      };
      if (input.tools !== undefined) options.tools = input.tools;
      if (tokens.calibrator !== undefined) options.calibrator = tokens.calibrator;
      if (limit !== undefined) options.exactLimit = limit;
      // `@x/tokens` counts every string field of a message: the fields a server renders.
      const prompt = input.messages ?? input.text ?? '';
      if (promptChars(prompt) >= COOPERATIVE_CHARS) {
        if (signal !== undefined) options.signal = signal;
        return estimateTokensAsync(prompt, options).then(
          (result) => ({ tokens: result.tokens + extra, overhead: result.overheadTokens }),
          (error: unknown) => {
            // The call's abort (its caller's, its deadline's) ends it, as anywhere else.
            if (signal?.aborted && error === signal.reason) throw error;
            return undefined;
          },
        );
      }
      const result = estimateTokens(prompt, options);
      return { tokens: result.tokens + extra, overhead: result.overheadTokens };
    } catch {
      return undefined;
    }
  }

  /**
   * The most prompt tokens the check can accept: the window, or with `onOverflow: 'raise'` the
   * trained maximum it may be raised to (unknown: no limit). None with `'allow'`, which checks
   * nothing and keeps the count exact for the limiter and usage.
   */
  #limit(explicit: number | undefined, plan: WindowPlan | undefined): number | undefined {
    const onOverflow = this.#tokens?.onOverflow;
    if (onOverflow === 'allow') return undefined;
    if (explicit !== undefined) return explicit;
    if (onOverflow === 'raise' && this.#planner?.enlarge !== undefined) return plan?.trained;
    return plan?.window;
  }

  #reserve(op: ContextInput<Request>, request: Request): number {
    const asked = op.reserve?.(request);
    return asked !== undefined && asked > 0 ? asked : (this.#tokens?.reserveOutputTokens ?? 0);
  }

  /** True when the prompt's own tokens (without a learnt overhead) do not fit `window`. */
  #overflows(estimate: Estimate | undefined, reserve: number, window: number): boolean {
    return (
      estimate !== undefined &&
      estimate.tokens + reserve > window &&
      estimate.tokens - estimate.overhead + reserve > window
    );
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
      const estimate =
        this.#tokens !== undefined && (op.checksContext || estimateForLimiter)
          ? this.#estimate(op, request, undefined, signal)
          : undefined;
      return estimate instanceof Promise
        ? estimate.then((found) => unchecked(explicit, found))
        : unchecked(explicit, estimate);
    }
    // A request's own window needs the plan too: its trained length caps that window.
    const plan = planner.known(op.model(request));
    if (plan === undefined) return this.#prepareSlow(op, request, signal, explicit, undefined);
    const own = explicit === undefined ? undefined : ownWindow(explicit, plan);
    const window = own?.window ?? plan.window;
    const estimate = this.#estimate(op, request, this.#limit(own?.window, plan), signal);
    if (
      estimate instanceof Promise ||
      (this.#tokens.onOverflow !== 'allow' &&
        this.#overflows(estimate, this.#reserve(op, request), window))
    ) {
      return this.#prepareSlow(op, request, signal, explicit, estimate);
    }
    return {
      numCtx: own === undefined ? plan.send : own.numCtx,
      window,
      estimate: estimate?.tokens,
      charged: undefined,
      queueWaitMs: undefined,
    };
  }

  /**
   * The tokens step when something waits: a server lookup, a long prompt's count, a raise.
   * `known`: the estimate made already for the known plan (counted once), else undefined.
   */
  async #prepareSlow(
    op: ContextInput<Request>,
    request: Request,
    signal: AbortSignal | undefined,
    explicit: number | undefined,
    known: Estimate | Promise<Estimate | undefined> | undefined,
  ): Promise<Prepared> {
    const tokens = this.#tokens!;
    const planner = this.#planner!;
    const model = op.model(request);
    const plan = planner.known(model) ?? (await planner.lookup(model, signal));
    const own = explicit === undefined ? undefined : ownWindow(explicit, plan);
    // After the lookup: the window bounds what is worth counting exactly.
    const pending = known ?? this.#estimate(op, request, this.#limit(own?.window, plan), signal);
    const estimate = pending instanceof Promise ? await pending : pending;
    const prepared: Prepared = {
      numCtx: own === undefined ? plan?.send : own.numCtx,
      window: own === undefined ? plan?.window : own.window,
      estimate: estimate?.tokens,
      charged: undefined,
      queueWaitMs: undefined,
    };
    const reserve = this.#reserve(op, request);
    if (
      estimate === undefined ||
      prepared.window === undefined ||
      tokens.onOverflow === 'allow' ||
      !this.#overflows(estimate, reserve, prepared.window)
    ) {
      return prepared;
    }
    const needed = estimate.tokens - estimate.overhead + reserve;
    let trained = plan?.trained;
    if (tokens.onOverflow === 'raise' && explicit === undefined && planner.enlarge !== undefined) {
      const raised = await planner.enlarge(model, needed, signal);
      if ('plan' in raised) {
        prepared.window = raised.plan.window;
        prepared.numCtx = raised.plan.send;
        this.#stats.contextRaised(model);
        if (this.#topics['context-raised'].active) {
          this.#topics['context-raised'].emit({
            model,
            from: raised.from,
            to: raised.plan.window,
            promptTokens: estimate.tokens,
          });
        }
        return prepared;
      }
      trained = raised.trained;
      prepared.window = trained ?? prepared.window;
    }
    throw this.#kit.contextOverflow({
      model,
      promptTokens: estimate.tokens,
      reserveOutputTokens: reserve,
      contextWindow: prepared.window,
      trainedContextLength: trained,
      source: 'estimate',
    });
  }
}
