import { expectMessages, expectTools } from './chat';
import { channel } from './internal/channels';
import { heuristicContext, heuristicTokens } from './internal/heuristic';
import {
  type CalibratorOptions,
  describe,
  expectNumber,
  expectObject,
  expectProvider,
  expectString,
} from './options';
import type { ChatMessage, Provider, ToolDefinition } from './types';

/** One observed pair: the input and the token count the server reported for it. */
export interface CalibrationObservation {
  /** The model that counted (calibration is per model; Ollama tags share their family's). */
  model: string;
  /** The provider, when the model is not in the registry. */
  provider?: Provider;
  /** The prompt text or messages that were sent. */
  input: string | readonly ChatMessage[];
  /** Tool definitions sent with the request. */
  tools?: readonly ToolDefinition[];
  /** The prompt token count the server reported (OpenAI `prompt_tokens`, Ollama `prompt_eval_count`). */
  actualTokens: number;
}

/** What the calibrator has learned about one model. */
export interface CalibrationState {
  /** Calibration key, `provider/model-id`. */
  key: string;
  /** Actual tokens divided by the heuristic estimate (moving average). */
  scale: number;
  /** Actual tokens per character (moving average). */
  tokensPerChar: number;
  /** Accepted observations. */
  observations: number;
  /** Relative error margin of calibrated estimates (from the spread of recent residuals). */
  errorMargin: number;
  /** True once `minObservations` observations were accepted. */
  ready: boolean;
}

/** A JSON snapshot of a calibrator. */
export interface CalibratorStats {
  models: number;
  observations: number;
  rejected: number;
  evicted: number;
  entries: CalibrationState[];
}

/** Learns tokens per character per model from observed pairs, in bounded memory. */
export interface Calibrator {
  /**
   * Records one observation. Rejected (returns false) when the count is 0 (a fully cached prompt
   * in Ollama) or, once calibrated, more than 3× away from the prediction (a partial count).
   */
  observe(observation: CalibrationObservation): boolean;
  /** What has been learned for a model, or `undefined`. */
  get(model: string, provider?: Provider): CalibrationState | undefined;
  /** Forgets one model, or everything. Counters in `stats()` are kept. */
  clear(model?: string, provider?: Provider): void;
  /** Subscribes to accepted observations; returns an unsubscribe function. */
  onUpdate(listener: (state: CalibrationState) => void): () => void;
  /** A JSON-serialisable snapshot; never resets counters. */
  stats(): CalibratorStats;
}

interface Entry {
  scale: number;
  tokensPerChar: number;
  observations: number;
  meanSquaredResidual: number;
  baseMargin: number;
}

const REJECT_FACTOR = 3;
const MIN_MARGIN = 0.02;
const updateChannel = channel('x:tokens:calibration');

/**
 * Creates a calibrator. Feed it what the server reports (`prompt_eval_count`, `prompt_tokens`)
 * and pass it to `estimateTokens`/`fitsContext`: estimates for a learned model then report
 * `method: 'calibrated'` with a tighter `errorMargin`.
 *
 * @throws {TypeError | RangeError} on invalid options.
 * @example
 * const calibrator = createCalibrator();
 * calibrator.observe({ model: 'llama3.2', input: messages, actualTokens: res.prompt_eval_count });
 * estimateTokens(messages, { model: 'llama3.2', calibrator }).method // 'calibrated' (after 3)
 */
export function createCalibrator(options: CalibratorOptions = {}): Calibrator {
  expectObject('options', options);
  const maxModels = options.maxModels ?? 256;
  const window = options.window ?? 50;
  const minObservations = options.minObservations ?? 3;
  expectNumber('maxModels', maxModels, 1, true);
  expectNumber('window', window, 1, true);
  expectNumber('minObservations', minObservations, 1, true);

  const entries = new Map<string, Entry>();
  const listeners = new Set<(state: CalibrationState) => void>();
  let observations = 0;
  let rejected = 0;
  let evicted = 0;

  const snapshot = (key: string, entry: Entry): CalibrationState => ({
    key,
    scale: entry.scale,
    tokensPerChar: entry.tokensPerChar,
    observations: entry.observations,
    errorMargin: Math.min(
      entry.baseMargin,
      Math.max(MIN_MARGIN, 2 * Math.sqrt(entry.meanSquaredResidual)),
    ),
    ready: entry.observations >= minObservations,
  });

  const keyOf = (model: unknown, provider: unknown) => {
    expectString('model', model);
    if (provider !== undefined) expectProvider(provider);
    return heuristicContext(model, provider as Provider | undefined);
  };

  return {
    observe(observation) {
      expectObject('observation', observation);
      const { model, provider, input, tools, actualTokens } = observation;
      const { key, profile } = keyOf(model, provider);
      if (typeof input !== 'string') expectMessages(input);
      if (tools !== undefined) expectTools(tools);
      expectNumber('actualTokens', actualTokens, 0, true);
      const { tokens, chars } = heuristicTokens(input, profile, tools);
      const entry = entries.get(key);
      if (actualTokens === 0 || tokens === 0 || chars === 0) {
        rejected++;
        return false;
      }
      const ratio = actualTokens / tokens;
      if (entry !== undefined && entry.observations >= minObservations) {
        const relative = ratio / entry.scale;
        if (relative > REJECT_FACTOR || relative < 1 / REJECT_FACTOR) {
          rejected++;
          return false;
        }
      }
      observations++;
      let next: Entry;
      if (entry === undefined) {
        next = {
          scale: ratio,
          tokensPerChar: actualTokens / chars,
          observations: 1,
          meanSquaredResidual: profile.errorMargin ** 2 / 4,
          baseMargin: profile.nonAsciiMargin,
        };
      } else {
        const n = entry.observations + 1;
        const alpha = Math.max(1 / n, 1 / window);
        const residual = ratio / entry.scale - 1;
        next = {
          scale: entry.scale + alpha * (ratio - entry.scale),
          tokensPerChar: entry.tokensPerChar + alpha * (actualTokens / chars - entry.tokensPerChar),
          observations: n,
          meanSquaredResidual:
            entry.meanSquaredResidual + alpha * (residual * residual - entry.meanSquaredResidual),
          baseMargin: entry.baseMargin,
        };
      }
      // Re-insert so the Map's order is least-recently-updated first; evict beyond the bound.
      entries.delete(key);
      entries.set(key, next);
      if (entries.size > maxModels) {
        const oldest = entries.keys().next().value as string;
        entries.delete(oldest);
        evicted++;
      }
      const state = snapshot(key, next);
      for (const listener of listeners) listener(state);
      if (updateChannel?.hasSubscribers) updateChannel.publish(state);
      return true;
    },
    get(model, provider) {
      const { key } = keyOf(model, provider);
      const entry = entries.get(key);
      return entry === undefined ? undefined : snapshot(key, entry);
    },
    clear(model, provider) {
      if (model === undefined) {
        entries.clear();
        return;
      }
      entries.delete(keyOf(model, provider).key);
    },
    onUpdate(listener) {
      if (typeof listener !== 'function') {
        throw new TypeError(`Expected \`listener\` to be a function, got ${describe(listener)}`);
      }
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    stats() {
      return {
        models: entries.size,
        observations,
        rejected,
        evicted,
        entries: [...entries].map(([key, entry]) => snapshot(key, entry)),
      };
    },
  };
}

/** @internal Type guard used by the estimator's option validation. */
export function isCalibrator(value: unknown): value is Calibrator {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Calibrator).observe === 'function' &&
    typeof (value as Calibrator).get === 'function'
  );
}
