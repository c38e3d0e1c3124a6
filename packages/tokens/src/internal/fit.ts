/**
 * The calibrator's model of what a server counts: `actual ≈ overhead + scale × heuristic`, fitted
 * robustly over a model's recent observations.
 *
 * Why two parameters: a server adds tokens the client never sees (an Ollama Modelfile's `SYSTEM`
 * prompt, a chat template). Folded into a single ratio, a 3,000-token system prompt observed on
 * ten-token prompts reads as "300 tokens per heuristic token", and a 1,000-character prompt is then
 * estimated at tens of thousands of tokens. Kept apart, the overhead is added once.
 *
 * Why robust: the fit uses medians (Tukey's resistant line: the slope between the medians of the
 * lowest and highest thirds, then the median residual as the intercept), so a minority of wrong
 * counts cannot move it, and the window is bounded, so no observation weighs on it for good.
 */
import { roundMargin } from './profiles';

/** One accepted observation. */
export interface Sample {
  /** The heuristic estimate of the input (tokens). */
  x: number;
  /** What the server counted. */
  y: number;
  /** Characters of the input. */
  chars: number;
}

/** Bounds and priors of a fit, from the model's heuristic profile and the calibrator options. */
export interface FitBounds {
  minScale: number;
  maxScale: number;
  maxOverhead: number;
  /** Prior relative error (the profile's ASCII margin): weighs as one residual. */
  priorMargin: number;
  /** The widest margin reported (the profile's non-ASCII margin). */
  maxMargin: number;
}

export interface Fit {
  scale: number;
  /** Whole tokens, in [0, maxOverhead]. */
  overhead: number;
  tokensPerChar: number;
  errorMargin: number;
}

const MIN_MARGIN = 0.02;
// Two groups of observations tell an overhead from a ratio only when their sizes differ enough:
// otherwise a few tokens of noise on short prompts would swing the slope.
const MIN_SPREAD_TOKENS = 8;
const MIN_SPREAD_FACTOR = 1.5;

// Scratch space of the fit, which is synchronous: the values a median is taken of, and the
// sample indices the thirds are selected in. Grown when a window is larger.
let values = new Float64Array(64);
let order = new Int32Array(64);

function reserve(n: number): void {
  if (values.length >= n) return;
  values = new Float64Array(n);
  order = new Int32Array(n);
}

/**
 * Rearranges `values[from, to)` so that the k-th smallest sits at `k`, smaller ones before it and
 * larger ones after (Hoare's selection): a median in linear time, without sorting the window on
 * every observation.
 */
function select(from: number, to: number, k: number): void {
  let lo = from;
  let hi = to - 1;
  while (hi > lo) {
    const pivot = values[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        const swap = values[i]!;
        values[i++] = values[j]!;
        values[j--] = swap;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

/** The median of `values[0, n)` (n >= 1), as sorting and taking the middle would give it. */
function median(n: number): number {
  const mid = n >> 1;
  select(0, n, mid);
  if (n % 2 === 1) return values[mid]!;
  let below = values[0]!;
  for (let i = 1; i < mid; i++) if (values[i]! > below) below = values[i]!;
  return (below + values[mid]!) / 2;
}

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

/** The median of `y - scale × x`: the overhead that best fits a given scale. */
function medianResidual(samples: readonly Sample[], scale: number): number {
  const n = samples.length;
  for (let i = 0; i < n; i++) values[i] = samples[i]!.y - scale * samples[i]!.x;
  return median(n);
}

/** The median of `y / x`: the ratio of the samples. */
function medianRatio(samples: readonly Sample[]): number {
  const n = samples.length;
  for (let i = 0; i < n; i++) values[i] = samples[i]!.y / samples[i]!.x;
  return median(n);
}

/** Whether sample `a` comes before `b` in a stable sort by size: by `x`, then by position. */
const before = (samples: readonly Sample[], a: number, b: number) =>
  samples[a]!.x < samples[b]!.x || (samples[a]!.x === samples[b]!.x && a < b);

/** Rearranges `order[from, to)` so that the k-th sample by size sits at `k` (see `select`). */
function selectOrder(samples: readonly Sample[], from: number, to: number, k: number): void {
  let lo = from;
  let hi = to - 1;
  while (hi > lo) {
    const pivot = order[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (before(samples, order[i]!, pivot)) i++;
      while (before(samples, pivot, order[j]!)) j--;
      if (i <= j) {
        const swap = order[i]!;
        order[i++] = order[j]!;
        order[j--] = swap;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

/** The medians of `x` and of `y` over the samples at `order[from, to)`. */
function groupMedians(samples: readonly Sample[], from: number, to: number): [number, number] {
  const n = to - from;
  for (let i = 0; i < n; i++) values[i] = samples[order[from + i]!]!.x;
  const x = median(n);
  for (let i = 0; i < n; i++) values[i] = samples[order[from + i]!]!.y;
  return [x, median(n)];
}

/**
 * The scale, when the samples' sizes differ enough to separate it from an overhead (Tukey's
 * resistant line over the lowest and highest thirds by size, ties kept in window order);
 * `undefined` otherwise.
 */
function resistantSlope(samples: readonly Sample[]): number | undefined {
  const n = samples.length;
  if (n < 2) return undefined;
  const third = Math.max(1, Math.floor(n / 3));
  for (let i = 0; i < n; i++) order[i] = i;
  // The lowest third ends up in order[0, third), the highest in order[n - third, n).
  selectOrder(samples, 0, n, third - 1);
  selectOrder(samples, third, n, n - third);
  const [xLow, yLow] = groupMedians(samples, 0, third);
  const [xHigh, yHigh] = groupMedians(samples, n - third, n);
  if (xHigh - xLow < Math.max(MIN_SPREAD_TOKENS, (MIN_SPREAD_FACTOR - 1) * xLow)) return undefined;
  return (yHigh - yLow) / (xHigh - xLow);
}

/** Fits `samples` (at least one) within `bounds`. */
export function fitSamples(samples: readonly Sample[], bounds: FitBounds): Fit {
  const { minScale, maxScale, maxOverhead } = bounds;
  reserve(samples.length);
  const slope = resistantSlope(samples);
  let scale: number;
  let overhead: number;
  if (slope !== undefined) {
    scale = clamp(slope, minScale, maxScale);
    overhead = medianResidual(samples, scale);
    if (overhead < 0) {
      // The server counts less than the line predicts at zero: no overhead, a ratio only.
      scale = clamp(medianRatio(samples), minScale, maxScale);
      overhead = medianResidual(samples, scale);
    }
  } else {
    // Sizes too alike to separate the two: a ratio the family's tokenizers can produce is taken
    // as a ratio; one beyond them can only be tokens added to every prompt (the heuristic's own
    // ratio is kept, and the excess is the overhead).
    const ratio = medianRatio(samples);
    scale = ratio > maxScale ? clamp(1, minScale, maxScale) : clamp(ratio, minScale, maxScale);
    overhead = medianResidual(samples, scale);
  }
  overhead = Math.round(clamp(overhead, 0, maxOverhead));

  let squares = bounds.priorMargin ** 2 / 4;
  for (const s of samples) {
    const residual = (s.y - (overhead + scale * s.x)) / s.y;
    squares += residual * residual;
  }
  const errorMargin = clamp(
    2 * Math.sqrt(squares / (samples.length + 1)),
    MIN_MARGIN,
    Math.max(MIN_MARGIN, bounds.maxMargin),
  );
  for (let i = 0; i < samples.length; i++) {
    values[i] = (samples[i]!.y - overhead) / samples[i]!.chars;
  }
  const tokensPerChar = Math.max(0, median(samples.length));
  return { scale, overhead, tokensPerChar, errorMargin: roundMargin(errorMargin) };
}

/** The prediction of a fit for a heuristic estimate `x`. */
export function predict(fit: Pick<Fit, 'scale' | 'overhead'>, x: number): number {
  return fit.overhead + fit.scale * x;
}
