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

function median(values: number[]): number {
  values.sort((a, b) => a - b);
  const mid = values.length >> 1;
  return values.length % 2 === 1 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
}

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

/** The median of `y - scale × x`: the overhead that best fits a given scale. */
function medianResidual(samples: readonly Sample[], scale: number): number {
  return median(samples.map((s) => s.y - scale * s.x));
}

/**
 * The scale, when the samples' sizes differ enough to separate it from an overhead (Tukey's
 * resistant line); `undefined` otherwise.
 */
function resistantSlope(samples: readonly Sample[]): number | undefined {
  const n = samples.length;
  if (n < 2) return undefined;
  const sorted = [...samples].sort((a, b) => a.x - b.x);
  const third = Math.max(1, Math.floor(n / 3));
  const low = sorted.slice(0, third);
  const high = sorted.slice(n - third);
  const xLow = median(low.map((s) => s.x));
  const xHigh = median(high.map((s) => s.x));
  if (xHigh - xLow < Math.max(MIN_SPREAD_TOKENS, (MIN_SPREAD_FACTOR - 1) * xLow)) return undefined;
  return (median(high.map((s) => s.y)) - median(low.map((s) => s.y))) / (xHigh - xLow);
}

/** Fits `samples` (at least one) within `bounds`. */
export function fitSamples(samples: readonly Sample[], bounds: FitBounds): Fit {
  const { minScale, maxScale, maxOverhead } = bounds;
  const slope = resistantSlope(samples);
  let scale: number;
  let overhead: number;
  if (slope !== undefined) {
    scale = clamp(slope, minScale, maxScale);
    overhead = medianResidual(samples, scale);
    if (overhead < 0) {
      // The server counts less than the line predicts at zero: no overhead, a ratio only.
      scale = clamp(median(samples.map((s) => s.y / s.x)), minScale, maxScale);
      overhead = medianResidual(samples, scale);
    }
  } else {
    // Sizes too alike to separate the two: a ratio the family's tokenizers can produce is taken
    // as a ratio; one beyond them can only be tokens added to every prompt (the heuristic's own
    // ratio is kept, and the excess is the overhead).
    const ratio = median(samples.map((s) => s.y / s.x));
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
  const tokensPerChar = Math.max(0, median(samples.map((s) => (s.y - overhead) / s.chars)));
  return { scale, overhead, tokensPerChar, errorMargin: Number(errorMargin.toFixed(4)) };
}

/** The prediction of a fit for a heuristic estimate `x`. */
export function predict(fit: Pick<Fit, 'scale' | 'overhead'>, x: number): number {
  return fit.overhead + fit.scale * x;
}
