import { createRandom } from '@x/internal';
import { describe, expect, it } from 'vitest';
import { type Fit, type FitBounds, fitSamples, type Sample } from './fit';

// The oracle: the fit as it was before selection replaced sorting (a sort per median, the thirds
// taken from a stable sort by size). The new one must give bit-identical fits.
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

function oracleFit(samples: readonly Sample[], bounds: FitBounds): Fit {
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

const same = (a: Fit, b: Fit) =>
  Object.is(a.scale, b.scale) &&
  Object.is(a.overhead, b.overhead) &&
  Object.is(a.tokensPerChar, b.tokensPerChar) &&
  Object.is(a.errorMargin, b.errorMargin);

describe('fitSamples', () => {
  it('fits bit for bit as the sorting fit did when given random windows with many ties', () => {
    const random = createRandom(5);
    const bounds: FitBounds = {
      minScale: 0.4,
      maxScale: 4,
      maxOverhead: 32_768,
      priorMargin: 0.06,
      maxMargin: 0.22,
    };
    for (let round = 0; round < 3000; round++) {
      const n = 1 + Math.floor(random() * 120);
      // Few distinct sizes in some windows (ties decide the thirds), many in others.
      const sizes = 1 + Math.floor(random() * (random() < 0.5 ? 4 : 400));
      const overhead = random() < 0.5 ? 0 : Math.floor(random() * 3000);
      const samples: Sample[] = [];
      for (let i = 0; i < n; i++) {
        const x = 1 + Math.floor(random() * sizes) * (1 + Math.floor(random() * 3));
        const y = Math.max(1, Math.round(overhead + x * (0.3 + random() * 4)));
        samples.push({ x, y, chars: 1 + Math.floor(x * (2 + random() * 4)) });
      }
      const actual = fitSamples(samples, bounds);
      const expected = oracleFit(samples, bounds);
      if (!same(actual, expected)) expect({ samples, actual }).toEqual({ samples, expected });
    }
  });

  it('leaves the samples as they were when it has fitted them', () => {
    const samples: Sample[] = [3, 1, 2, 1, 5, 4].map((x, i) => ({ x, y: x * 2 + i, chars: x * 4 }));
    const copy = samples.map((s) => ({ ...s }));
    fitSamples(samples, {
      minScale: 0.4,
      maxScale: 4,
      maxOverhead: 100,
      priorMargin: 0.06,
      maxMargin: 0.22,
    });
    expect(samples).toEqual(copy);
  });
});
