import { expectLogger, expectString, fail, optionalNumber, PackageLog, Topic } from '@x/internal';
import { exactTokens, expectMessages } from './chat';
import { encodingForModel } from './encodings';
import { type Fit, type FitBounds, fitSamples, predict, type Sample } from './internal/fit';
import { heuristicContext, heuristicTokens } from './internal/heuristic';
import type { HeuristicProfile } from './internal/profiles';
import { logCalibration, logIgnored, logOutliersAdmitted } from './log';
import { type CalibratorOptions, expectOptions, expectProvider, KEYS } from './options';
import { expectTools } from './tools';
import type { ChatMessage, ChatTool, Provider } from './types';

/** One observed pair: the input and the token count the server reported for it. */
export interface CalibrationObservation {
  /** The model that counted (calibration is per model; Ollama tags share their family's). */
  model: string;
  /** The provider, when the model is not in the registry. */
  provider?: Provider | undefined;
  /** The prompt text or messages that were sent. */
  input: string | readonly ChatMessage[];
  /** Tool definitions sent with the request. */
  tools?: readonly ChatTool[] | undefined;
  /**
   * The prompt token count the server reported (OpenAI `prompt_tokens`, Ollama
   * `prompt_eval_count`). A count that cannot be the prompt's (not a whole number >= 1, or outside
   * what the model family can produce for this input plus `maxOverheadTokens`) is ignored.
   */
  actualTokens: number;
}

/** What the calibrator has learned about one model. */
export interface CalibrationState {
  /** Calibration key, `provider/model-id`. */
  key: string;
  /**
   * Server tokens per heuristic token, beyond the overhead (the slope of a robust fit over the
   * recent observations), within the profile's `scaleRange`.
   */
  scale: number;
  /**
   * Tokens the server adds to every prompt that the client cannot see (a Modelfile `SYSTEM`
   * prompt, a template): the intercept of the fit, in [0, `maxOverheadTokens`].
   */
  overheadTokens: number;
  /** Server tokens per character, beyond the overhead (median over the recent observations). */
  tokensPerChar: number;
  /** Accepted observations (in total; the fit uses the last `window`). */
  observations: number;
  /** Relative error margin of calibrated estimates (from the spread of recent residuals). */
  errorMargin: number;
  /** True once `minObservations` observations were accepted. */
  ready: boolean;
}

/** A JSON snapshot of a calibrator. */
export interface CalibratorStats {
  /** Models currently learned. */
  models: number;
  /** Observations accepted. */
  observations: number;
  /** Observations not used: empty counts, implausible counts, outliers (held or dropped). */
  rejected: number;
  /** Of `rejected`: counts that cannot be the prompt's (non-finite, fractional, out of bounds). */
  implausible: number;
  /** Models forgotten to stay within `maxModels`. */
  evicted: number;
  entries: CalibrationState[];
}

/** Learns tokens per character per model from observed pairs, in bounded memory. */
export interface Calibrator {
  /**
   * Records one observation; returns whether it was used. Not used: a count of 0 or an empty
   * input (a fully cached prompt in Ollama); a count that cannot be the prompt's (see
   * `actualTokens`); once calibrated, a count more than 3× away from the prediction (a partial
   * count), held back until three such counts are held (then all three are used: a server that
   * changed, or a wrong early fit, is corrected).
   */
  observe(observation: CalibrationObservation): boolean;
  /** What has been learned for a model, or `undefined`. */
  get(model: string, provider?: Provider): CalibrationState | undefined;
  /** Forgets one model, or everything. Counters in `stats()` are kept. */
  clear(model?: string, provider?: Provider): void;
  /**
   * Subscribes to accepted observations; returns an unsubscribe function. A listener that throws
   * never fails `observe()`: the error becomes a process warning (`XListenerError`).
   */
  onUpdate(listener: (state: CalibrationState) => void): () => void;
  /** A JSON-serialisable snapshot; never resets counters. */
  stats(): CalibratorStats;
}

interface Entry {
  /** The last `window` accepted samples: a ring once full. */
  readonly samples: Sample[];
  next: number;
  observations: number;
  /** Outliers held back; used together once there are `SUSPECTS_TO_ADMIT`. */
  suspects: Sample[];
  state: CalibrationState;
}

// Once calibrated, a count this far from the prediction (either way) is held back as an outlier.
const OUTLIER_FACTOR = 3;
// Held outliers are used once there are three: a wrong fit (or a server that changed) must not
// reject the truth for good. Not only three in a row: a wrong fit may still accept the inputs of
// one size while it rejects those of other sizes, the very ones that would correct it. A few
// wrong counts used this way cannot move the median-based fit of a window.
const SUSPECTS_TO_ADMIT = 3;
// A count this many tokens below `minScale × heuristic` is a partial count, not the prompt's size.
const PARTIAL_SLACK = 4;
const MAX_WINDOW = 1000;

/**
 * Creates a calibrator. Feed it what the server reports (`prompt_eval_count`, `prompt_tokens`)
 * and pass it to `estimateTokens`/`fitsContext`: estimates for a learned model then report
 * `method: 'calibrated'`, `overheadTokens + scale × heuristic`, with a tighter `errorMargin`.
 *
 * What it learns per model, from the last `window` observations: a fixed overhead (tokens the
 * server adds that the client cannot see) apart from a scale, both by a robust (median-based)
 * fit, both clamped (the scale to the profile's `scaleRange`, the overhead to
 * `maxOverheadTokens`), so no sequence of observations can push an estimate outside
 * `[minScale × heuristic, maxScale × heuristic + maxOverheadTokens]`, and any state is
 * corrected by later observations.
 *
 * @throws {TypeError | RangeError} on invalid options (an unknown key included).
 * @example
 * const calibrator = createCalibrator();
 * calibrator.observe({ model: 'llama3.2', input: messages, actualTokens: res.prompt_eval_count });
 * estimateTokens(messages, { model: 'llama3.2', calibrator }).method // 'calibrated' (after 3)
 */
export function createCalibrator(options: CalibratorOptions = {}): Calibrator {
  expectOptions('options', undefined, options, KEYS.createCalibrator);
  // `undefined` is "not set"; `null` is refused like any other wrong type, never `?? DEFAULT`.
  const maxModels =
    optionalNumber('maxModels', options.maxModels, { min: 1, integer: true }) ?? 256;
  const window =
    optionalNumber('window', options.window, { min: 1, max: MAX_WINDOW, integer: true }) ?? 50;
  const minObservations =
    optionalNumber('minObservations', options.minObservations, { min: 1, integer: true }) ?? 3;
  const maxOverhead =
    optionalNumber('maxOverheadTokens', options.maxOverheadTokens, { min: 0, integer: true }) ??
    32_768;

  const log = new PackageLog('tokens', expectLogger('logger', options.logger));
  const entries = new Map<string, Entry>();
  const updates = new Topic<CalibrationState>('tokens', 'calibration');
  let observations = 0;
  let rejected = 0;
  let implausible = 0;
  let evicted = 0;

  const boundsOf = (profile: HeuristicProfile): FitBounds => ({
    minScale: profile.scaleRange[0],
    maxScale: profile.scaleRange[1],
    maxOverhead,
    priorMargin: profile.errorMargin,
    maxMargin: profile.nonAsciiMargin,
  });

  const stateOf = (key: string, fit: Fit, count: number): CalibrationState =>
    Object.freeze({
      key,
      scale: fit.scale,
      overheadTokens: fit.overhead,
      tokensPerChar: fit.tokensPerChar,
      observations: count,
      errorMargin: fit.errorMargin,
      ready: count >= minObservations,
    });

  const keyOf = (model: unknown, provider: unknown) => {
    const name = expectString('model', model, true);
    if (provider !== undefined) expectProvider(provider);
    return heuristicContext(name, provider as Provider | undefined);
  };

  /** Whether `y` can be the server's count of an input the heuristic puts at `x` tokens. */
  const plausible = (profile: HeuristicProfile, x: number, y: number) => {
    const [minScale, maxScale] = profile.scaleRange;
    return (
      Number.isInteger(y) &&
      y >= 1 &&
      y <= maxScale * x + maxOverhead &&
      y >= minScale * x - PARTIAL_SLACK
    );
  };

  /** Adds samples to the model's window, refits, and keeps the Map least-recently-updated first. */
  const admit = (key: string, profile: HeuristicProfile, added: Sample[]): CalibrationState => {
    const entry: Entry = entries.get(key) ?? {
      samples: [],
      next: 0,
      observations: 0,
      suspects: [],
      state: undefined as unknown as CalibrationState,
    };
    for (const sample of added) {
      if (entry.samples.length < window) entry.samples.push(sample);
      else {
        entry.samples[entry.next] = sample;
        entry.next = (entry.next + 1) % window;
      }
    }
    entry.observations += added.length;
    entry.state = stateOf(key, fitSamples(entry.samples, boundsOf(profile)), entry.observations);
    entries.delete(key);
    entries.set(key, entry);
    if (entries.size > maxModels) {
      entries.delete(entries.keys().next().value as string);
      evicted++;
    }
    return entry.state;
  };

  const calibrator: KeyedCalibrator = {
    observe(observation) {
      expectOptions('observation', 'observation', observation, KEYS.observation);
      const { model, provider, input, tools, actualTokens } = observation;
      const { key, profile, local } = keyOf(model, provider);
      if (typeof input !== 'string') {
        if (!Array.isArray(input)) fail('observation.input', 'a string or messages', input);
        expectMessages(input, 'observation.input');
      }
      if (tools !== undefined) expectTools(tools);
      if (typeof actualTokens !== 'number') fail('actualTokens', 'a number', actualTokens);
      const heuristic = heuristicTokens(input, profile, tools, 'observation.input');
      const { chars } = heuristic;
      // A local model with an encoding is estimated from its exact count (see `estimate`): the
      // fit relates the server's count to that.
      const encoding = local ? encodingForModel(model as string) : undefined;
      const exact = encoding === undefined ? undefined : exactTokens(input, encoding, tools);
      const x = exact ?? heuristic.tokens;
      if (actualTokens === 0 || x === 0 || chars === 0) {
        rejected++;
        logIgnored(log, key, 'empty', actualTokens, x);
        return false;
      }
      if (!plausible(profile, x, actualTokens)) {
        rejected++;
        implausible++;
        logIgnored(log, key, 'implausible', actualTokens, x);
        return false;
      }
      const sample: Sample = { x, y: actualTokens, chars };
      let added = [sample];
      const entry = entries.get(key);
      if (entry?.state.ready) {
        const { scale, overheadTokens } = entry.state;
        const relative = actualTokens / predict({ scale, overhead: overheadTokens }, x);
        if (relative > OUTLIER_FACTOR || relative < 1 / OUTLIER_FACTOR) {
          entry.suspects.push(sample);
          if (entry.suspects.length < SUSPECTS_TO_ADMIT) {
            rejected++;
            logIgnored(log, key, 'outlier', actualTokens, x);
            return false;
          }
          logOutliersAdmitted(log, key, entry.suspects.length);
          // The held ones were counted as rejected: they are used after all.
          rejected -= entry.suspects.length - 1;
          added = entry.suspects;
          entry.suspects = [];
        }
      }
      observations += added.length;
      const before = entry?.state;
      const state = admit(key, profile, added);
      if (log.enabled) logCalibration(log, before, state, boundsOf(profile));
      if (updates.active) updates.emit(state);
      return true;
    },
    get(model, provider) {
      return entries.get(keyOf(model, provider).key)?.state;
    },
    [STATE_BY_KEY]: (key: string) => entries.get(key)?.state,
    clear(model, provider) {
      if (model === undefined) {
        entries.clear();
        return;
      }
      entries.delete(keyOf(model, provider).key);
    },
    onUpdate(listener) {
      return updates.on(listener);
    },
    stats() {
      return {
        models: entries.size,
        observations,
        rejected,
        implausible,
        evicted,
        entries: [...entries.values()].map((entry) => ({ ...entry.state })),
      };
    },
  };
  return calibrator;
}

/**
 * @internal A calibrator's state by calibration key, for the estimator: it has resolved the key
 * of `{ model, provider }` already, which `get()` would check and resolve again on every estimate.
 * Only calibrators of `createCalibrator()` have it; the estimator calls `get()` on any other.
 */
export const STATE_BY_KEY: unique symbol = Symbol('calibrator state by key');

/** @internal A calibrator of `createCalibrator()`, as the estimator sees it. */
export interface KeyedCalibrator extends Calibrator {
  [STATE_BY_KEY]?: ((key: string) => CalibrationState | undefined) | undefined;
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
