import type { FeatureName, TextFeatures } from './features';
import { FEATURE_NAMES } from './features';

/** How the heuristic estimator sizes text for one family of tokenizers. */
export interface HeuristicProfile {
  /** Profile name, reported in docs and tests. */
  name: string;
  /** The original flat tokens-per-character ratio this profile starts from. */
  ratio: number;
  /** Tokens per unit of each character-class feature. */
  weights: Readonly<Record<FeatureName, number>>;
  /** `weights` in FEATURE_NAMES order, for the estimator's hot loop. */
  vector: Float64Array;
  /** Formatting tokens each chat message adds (role markers, separators). */
  perMessage: number;
  /** Extra tokens when a message carries a `name`. */
  perName: number;
  /** Tokens that prime the reply (and begin-of-sequence markers). */
  priming: number;
  /** Relative error margin of the estimate for ASCII text (0.1 = ±10 %). */
  errorMargin: number;
  /** Relative error margin for text made only of non-ASCII characters (CJK, other scripts, emoji). */
  nonAsciiMargin: number;
  /** Whether the weights were fitted against a real tokenizer (false: derived, see notes). */
  measured: boolean;
  /**
   * The range a calibrator's learned scale (server count ÷ this heuristic) is clamped to: what a
   * real tokenizer of the family can differ from the heuristic by, with room to spare. A server
   * count outside it is a fixed overhead (above) or a partial count (below), not a ratio.
   */
  scaleRange: readonly [number, number];
  /**
   * Per feature (FEATURE_NAMES order), the relative uncertainty of the tokens it adds: 0 for the
   * fitted features (their error is in `errorMargin`), the spread the real tokenizers showed for
   * the run features that one rate cannot pin down (control characters, alternating spaces and
   * tabs, long punctuation runs). An estimate's margin grows by these tokens' share of it.
   */
  runMargins: Float64Array;
}

/** The relative margin for an input with `nonAscii` of `chars` characters outside ASCII. */
export function marginFor(profile: HeuristicProfile, nonAscii: number, chars: number): number {
  const share = chars > 0 ? Math.min(1, nonAscii / chars) : 0;
  return profile.errorMargin + (profile.nonAsciiMargin - profile.errorMargin) * share;
}

/**
 * A margin as reported, to four decimals: by arithmetic, since `Number(x.toFixed(4))` (a string
 * and back) was a sixth of an estimate's work.
 */
export function roundMargin(margin: number): number {
  return Math.round(margin * 1e4) / 1e4;
}

/** Heuristic token count of one text under a profile (0 for the empty string, else >= 1). */
export function heuristicCount(features: TextFeatures, profile: HeuristicProfile): number {
  if (features.chars === 0) return 0;
  let total = 0;
  for (const name of FEATURE_NAMES) total += features[name] * profile.weights[name];
  return Math.max(1, Math.round(total));
}
