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
  /** Formatting tokens each chat message adds (role markers, separators). */
  perMessage: number;
  /** Extra tokens when a message carries a `name`. */
  perName: number;
  /** Tokens that prime the reply (and begin-of-sequence markers). */
  priming: number;
  /** Relative error margin of the estimate (0.1 = ±10 %). */
  errorMargin: number;
  /** Whether the weights were fitted against a real tokenizer (false: derived, see notes). */
  measured: boolean;
}

// Characters outside the corpus used for fitting (accented Latin, Cyrillic, emoji) get
// hand-set weights: most such letters cost about half a token, an emoji about two.
const UNSEEN = { other: 0.5, astral: 2 } as const;

function scaled(weights: Record<FeatureName, number>, factor: number): Record<FeatureName, number> {
  const out = { ...weights };
  for (const name of FEATURE_NAMES) out[name] = Number((weights[name] * factor).toFixed(4));
  return out;
}

// Fitted by bench/fit-estimator.ts (non-negative least squares on relative error, training half
// of src/__fixtures__/corpus.json). Margins are the 95th percentile of the absolute relative error
// on the held-out half, rounded up, as printed by bench/estimator-error.ts.
const O200K = {
  words: 0.4383,
  letters: 0.137,
  digitRuns: 0,
  digits: 0.8157,
  punctRuns: 0.3058,
  puncts: 0.1773,
  breaks: 1.1863,
  indents: 0.3507,
  cjk: 0.7997,
  hangul: 0.7506,
  ...UNSEEN,
};
const LLAMA3 = {
  words: 0.4048,
  letters: 0.1459,
  digitRuns: 0,
  digits: 0.798,
  punctRuns: 0.3146,
  puncts: 0.1652,
  breaks: 1.1087,
  indents: 0.4463,
  cjk: 0.8171,
  hangul: 0.7969,
  ...UNSEEN,
};
const MISTRAL_V1 = {
  words: 0.6864,
  letters: 0.0965,
  digitRuns: 1.0101,
  digits: 0.7983,
  punctRuns: 0.4787,
  puncts: 0.2867,
  breaks: 1.677,
  indents: 0.6034,
  cjk: 1.0926,
  hangul: 1.5253,
  ...UNSEEN,
};

export const PROFILES = {
  openai: {
    name: 'openai',
    ratio: 0.25,
    weights: O200K,
    perMessage: 3,
    perName: 1,
    priming: 3,
    errorMargin: 0.12,
    measured: true,
  },
  ollama: {
    name: 'ollama',
    ratio: 0.27,
    weights: LLAMA3,
    perMessage: 5,
    perName: 1,
    priming: 5,
    errorMargin: 0.14,
    measured: true,
  },
  mistral: {
    name: 'mistral',
    ratio: 0.27,
    weights: MISTRAL_V1,
    perMessage: 5,
    perName: 1,
    priming: 1,
    errorMargin: 0.1,
    measured: true,
  },
  gemini: {
    name: 'gemini',
    ratio: 0.22,
    // No Gemini tokenizer runs offline: the o200k weights scaled by the original 0.22 / 0.25.
    weights: scaled(O200K, 0.22 / 0.25),
    perMessage: 4,
    perName: 1,
    priming: 3,
    errorMargin: 0.25,
    measured: false,
  },
  anthropic: {
    name: 'anthropic',
    ratio: 0.3,
    // No Claude tokenizer runs offline: Claude 3+ uses noticeably more tokens than o200k for the
    // same text, so the o200k weights are scaled up by 1.2, with a wide margin.
    weights: scaled(O200K, 1.2),
    perMessage: 5,
    perName: 1,
    priming: 3,
    errorMargin: 0.3,
    measured: false,
  },
} as const satisfies Record<string, HeuristicProfile>;

export type ProfileName = keyof typeof PROFILES;

/** Heuristic token count of one text under a profile (0 for the empty string, else >= 1). */
export function heuristicCount(features: TextFeatures, profile: HeuristicProfile): number {
  if (features.chars === 0) return 0;
  let total = 0;
  for (const name of FEATURE_NAMES) total += features[name] * profile.weights[name];
  return Math.max(1, Math.round(total));
}
