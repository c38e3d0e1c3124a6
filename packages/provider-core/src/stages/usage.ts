import { BoundedMap } from '@x/internal';
import type {
  CalibrationObservation,
  Calibrator,
  Provider,
  ChatMessage as TokensChatMessage,
} from '@x/tokens';
import type { ResolvedRateLimit, ResolvedTokens } from '../compose/pieces';
import type { ProviderTopics } from '../observe/events';
import type { StatsRecorder } from '../observe/stats';
import { correctCharge } from './admit';
import type { ContextInput, Prepared } from './context';
import { usageCost } from './usage-cost';

/**
 * The most tokens a server can plausibly report for one call. A count above it (1e18 from a broken
 * or hostile server) is dropped rather than charged to the limiter, taught to the calibrator or
 * summed into the statistics.
 */
const MAX_PLAUSIBLE_TOKENS = 10_000_000;

/** Answers a calibrator has seen of a model before its observations are sampled one in 64. */
const SETTLED = 64;
/** Sampling masks: one answer in eight while a model settles, one in 64 after. */
const SAMPLE_CALIBRATED = 7;
const SAMPLE_SETTLED = 63;
/**
 * Once settled, at most one observation of a model per this many ms. An observation costs 40-50 µs
 * inside a busy process (its code runs too rarely to stay in the CPU's caches; 3.5 µs in a loop),
 * so one in 64 alone cost a provider answering 15,000 calls a second 0.5 µs a call; capped, the
 * calibrator's work is bounded by time, not by traffic, and a window of 50 still renews in 5 s.
 */
const SETTLED_INTERVAL_MS = 100;
/**
 * The most models whose sampling is remembered: the calibrator's own default `maxModels`. Model
 * names can come from users, and a server that answers any name (llama.cpp's) would otherwise grow
 * this table by one entry per name, long after the calibrator forgot them. A model dropped here while
 * the calibrator still knows it costs one `calibrator.get` and a few answers sampled one in eight
 * again, until its next sampled answer finds it settled.
 */
const MAX_CALIBRATED = 256;

/** How the answers of one calibrated model are sampled. */
interface Sampling {
  /** One answer in `mask + 1`. */
  mask: number;
  /** When settled: the earliest `performance.now()` of the next observation. */
  next: number;
}

function plausible(count: number | undefined): number | undefined {
  return count !== undefined &&
    Number.isInteger(count) &&
    count >= 0 &&
    count <= MAX_PLAUSIBLE_TOKENS
    ? count
    : undefined;
}

/** The usage fields of an answer the reconcile step reads and fills. */
export interface Reconcilable {
  usage: {
    promptTokens?: number | undefined;
    completionTokens?: number | undefined;
    /** Prompt tokens the server served from its prompt cache (counted in `promptTokens`). */
    cachedPromptTokens?: number | undefined;
    /** Prompt tokens written to the server's prompt cache (counted in `promptTokens`). */
    cacheWriteTokens?: number | undefined;
  };
  truncated?: boolean | undefined;
  estimatedPromptTokens?: number | undefined;
  costUsd?: number | undefined;
}

/**
 * The reconcile step: the server's counts check the estimate (a prompt near the window counted far
 * lower was most likely cut silently: flagged `truncated`), teach the calibrator, correct the rate
 * limiter's charge, and price the answer.
 */
export class UsageStage<Request> {
  readonly #tokens: ResolvedTokens | undefined;
  readonly #provider: Provider;
  readonly #limit: ResolvedRateLimit | undefined;
  readonly #stats: StatsRecorder;
  readonly #topics: ProviderTopics;
  /** A local server charges nothing per token: an unknown price is 0, not unknown. */
  readonly #local: boolean;
  readonly #keeps: ((window: number) => number) | undefined;
  /**
   * Models seen calibrated, with how their answers are sampled (mask 7: one in eight, 63: one in
   * 64 and at most one per {@link SETTLED_INTERVAL_MS}). A model the calibrator no longer knows as
   * ready (it dropped it) is taught on every answer again. Bounded: {@link MAX_CALIBRATED}.
   */
  readonly #calibrated = new BoundedMap<string, Sampling>(MAX_CALIBRATED);
  #observations = 0;

  constructor(init: {
    tokens: ResolvedTokens | undefined;
    provider: Provider;
    limit: ResolvedRateLimit | undefined;
    stats: StatsRecorder;
    topics: ProviderTopics;
    local: boolean;
    /** How many prompt tokens the server keeps when it cuts a prompt to its window, if known. */
    keeps: ((window: number) => number) | undefined;
  }) {
    this.#tokens = init.tokens;
    this.#provider = init.provider;
    this.#limit = init.limit;
    this.#stats = init.stats;
    this.#topics = init.topics;
    this.#local = init.local;
    this.#keeps = init.keeps;
  }

  reconcile(
    op: ContextInput<Request>,
    request: Request,
    prepared: Prepared,
    response: Reconcilable,
  ): void {
    response.estimatedPromptTokens = prepared.estimate;
    const usage = response.usage as Reconcilable['usage'] & { totalTokens?: number | undefined };
    const promptTokens = plausible(usage.promptTokens);
    const completionTokens = plausible(usage.completionTokens);
    if (promptTokens !== usage.promptTokens || completionTokens !== usage.completionTokens) {
      // A count no server can mean (1e18) is dropped: its key goes, as an unknown count's is never
      // there (`usageOf`). Only a broken server's answer comes here, so the deletes cost a good
      // answer nothing.
      if (promptTokens === undefined) delete usage.promptTokens;
      if (completionTokens === undefined) delete usage.completionTokens;
      if ('totalTokens' in usage) {
        if (promptTokens !== undefined && completionTokens !== undefined) {
          usage.totalTokens = promptTokens + completionTokens;
        } else {
          delete usage.totalTokens;
        }
      }
    }
    const estimate = prepared.estimate;
    const tokens = this.#tokens;
    const model = op.model(request);
    if (tokens !== undefined && estimate !== undefined && promptTokens !== undefined) {
      this.#stats.drift(estimate, promptTokens);
      const window = prepared.window;
      // Only a prompt near or over the window can have been cut; below that, a low count is more
      // likely an estimate that ran high, or an older Ollama server reusing a cached prefix of the
      // conversation (it counted only the new tokens; Ollama 0.30+ counts cached and new ones, as
      // OpenAI counts every prompt token).
      const truncated =
        op.checksContext &&
        ((promptTokens < estimate * tokens.truncationRatio &&
          estimate - promptTokens >= 16 &&
          (window === undefined || estimate >= 0.75 * window)) ||
          this.#cutAt(window, estimate, promptTokens));
      if (truncated) {
        response.truncated = true;
        this.#stats.truncated(model);
        if (this.#topics.truncated.active) {
          this.#topics.truncated.emit({
            model,
            estimatedPromptTokens: estimate,
            promptEvalCount: promptTokens,
            numCtx: prepared.numCtx ?? prepared.window,
          });
        }
      } else if (promptTokens > 0 && op.prompt !== undefined) {
        this.#observe(tokens.calibrator, op, request, model, promptTokens);
      }
    }
    correctCharge(this.#limit, prepared, promptTokens, completionTokens);
    if ('costUsd' in response) {
      const cost = usageCost(model, {
        promptTokens,
        completionTokens,
        cachedPromptTokens: plausible(usage.cachedPromptTokens),
        cacheWriteTokens: plausible(usage.cacheWriteTokens),
      });
      // A local model without a price costs nothing (once counted); a hosted one is unknown.
      const counted = promptTokens !== undefined || completionTokens !== undefined;
      response.costUsd = cost ?? (this.#local && counted ? 0 : undefined);
    }
  }

  /**
   * The server's own cut: a server that keeps a known number of tokens of a prompt too long for
   * its window (Ollama keeps `num_ctx / 2 + 2`) counts exactly that. A count there, for a prompt
   * estimated near the window and counted well below the estimate, was cut, even when the cut
   * kept more than `truncationRatio` of the estimate.
   */
  #cutAt(window: number | undefined, estimate: number, promptTokens: number): boolean {
    if (window === undefined || this.#keeps === undefined) return false;
    const kept = this.#keeps(window);
    return (
      promptTokens >= kept - 2 &&
      promptTokens <= kept + 8 &&
      estimate >= 0.6 * window &&
      promptTokens < 0.9 * estimate
    );
  }

  /**
   * Feeds an answer to the calibrator: every answer until it is calibrated for the model, then one
   * in eight until it has seen {@link SETTLED} answers of it, then one in 64 and at most one per
   * {@link SETTLED_INTERVAL_MS}. Observing re-reads the prompt and refits, and a fit over a full
   * window moves little with one more answer; a window of 50 still renews within a few thousand
   * calls, or 5 s under heavy traffic. The clock is read on sampled answers only.
   */
  #observe(
    calibrator: Calibrator | undefined,
    op: ContextInput<Request>,
    request: Request,
    model: string,
    actualTokens: number,
  ): void {
    if (calibrator === undefined) return;
    let sampling = this.#calibrated.get(model);
    if (sampling === undefined && calibrator.get(model, this.#provider)?.ready === true) {
      sampling = { mask: SAMPLE_CALIBRATED, next: 0 };
      this.#calibrated.set(model, sampling);
    }
    if (sampling !== undefined) {
      if ((this.#observations++ & sampling.mask) !== 0) return;
      if (sampling.mask === SAMPLE_SETTLED) {
        const now = performance.now();
        if (now < sampling.next) return;
        sampling.next = now + SETTLED_INTERVAL_MS;
      }
    }
    const input = op.prompt!(request);
    // A prompt of token ids only (OpenAI's embeddings of token arrays) has no text to learn from.
    if (input.messages === undefined && input.text === undefined) return;
    try {
      const observation: CalibrationObservation = {
        model,
        provider: this.#provider,
        input: (input.messages as readonly TokensChatMessage[] | undefined) ?? input.text ?? '',
        actualTokens,
      };
      if (input.tools !== undefined) observation.tools = input.tools as never;
      calibrator.observe(observation);
    } catch {
      // A calibrator's complaint must not fail an answer that arrived.
    }
    if (sampling === undefined) return;
    const state = calibrator.get(model, this.#provider);
    if (state?.ready !== true) this.#calibrated.delete(model);
    else if (state.observations >= SETTLED) sampling.mask = SAMPLE_SETTLED;
  }
}
