import { callFraming, HARMONY_CALLS, messageStrings } from '../chat';
import { MAX_MEMO_NAME, registryGeneration, resolveModelRecord } from '../models';
import { toolParts } from '../tools';
import type { ChatMessage, ChatTool, Provider } from '../types';
import { MAX_MEMO_TEXT, textMemo } from './count-memo';
import { CHARS, countFeatures, FEATURE_NAMES, nonAsciiOf, VECTOR_LENGTH } from './features';
import { type HeuristicProfile, PROFILES } from './profiles';

// Tool overhead for models without a known format: OpenAI's o200k constants, the best public data.
const TOOL_FORMAT = {
  functionStart: 7,
  propertiesStart: 3,
  property: 3,
  enumStart: -3,
  enumItem: 3,
  toolsEnd: 12,
};

/** The heuristic profile for a provider, refined by the model's family where that matters. */
export function profileFor(provider: Provider, modelId: string | undefined): HeuristicProfile {
  switch (provider) {
    case 'ollama':
      return modelId !== undefined && /^(?:mistral|mixtral|codestral)/.test(modelId)
        ? PROFILES.mistral
        : PROFILES.ollama;
    // Perplexity's Sonar models are built on Llama 3.3.
    case 'perplexity':
      return PROFILES.ollama;
    default:
      return PROFILES[provider];
  }
}

// Scratch space of the estimator, which is synchronous: the feature vector of a text not
// memoised and the strings of one message (up to a count).
const features = new Float64Array(VECTOR_LENGTH);
const strings: string[] = [];
const FEATURE_COUNT = FEATURE_NAMES.length;

/** What one text counts, memoised: its features, and their weighted sum under the last profile. */
class Counted {
  readonly vector: Float64Array;
  readonly chars: number;
  readonly nonAscii: number;
  profile: HeuristicProfile | undefined = undefined;
  total = 0;
  uncertain = 0;

  constructor(vector: Float64Array) {
    this.vector = vector;
    this.chars = vector[CHARS]!;
    this.nonAscii = nonAsciiOf(vector);
  }
}

/**
 * The texts estimated lately, for the reason the exact counter memoises message texts: a chat
 * resends its system prompt and its whole history on every turn, and the heuristic reads every
 * character of them. Short texts too: a role name is one of every message's strings, and a hit
 * (one lookup, the sum kept for the profile) costs less than reading six characters and weighing
 * eighteen features, each a typed-array read. The same bounds as the exact counter's memo
 * (`textMemo()`).
 */
const memo = textMemo<Counted>();

/** @internal Empties the memos of feature vectors and of contexts (`clearCountCache()`). */
export function clearFeatureMemo(): void {
  memo.clear();
  contexts.clear();
  memoized = 0;
}

/** The weighted sum of a feature vector, in FEATURE_NAMES order as the weights were fitted. */
function weigh(vector: Float64Array, profile: HeuristicProfile): number {
  const weights = profile.vector;
  const margins = profile.runMargins;
  let total = 0;
  let uncertain = 0;
  for (let i = 0; i < FEATURE_COUNT; i++) {
    const tokens = vector[i]! * weights[i]!;
    total += tokens;
    uncertain += tokens * margins[i]!;
  }
  weighedUncertain = uncertain;
  return Math.max(1, total);
}

// The tokens of the run features weighed last, times their margins (see `runMargins`).
let weighedUncertain = 0;

// What the latest `rawCount` read: plain numbers, which the caller adds up.
let countedChars = 0;
let countedNonAscii = 0;
let countedUncertain = 0;

/**
 * @internal The weighted features of `text` (before rounding); its characters, non-ASCII
 * characters and uncertain run tokens are left in `countedChars`, `countedNonAscii` and
 * `countedUncertain`.
 */
export function rawCount(text: string, profile: HeuristicProfile): number {
  if (text === '') {
    countedChars = 0;
    countedNonAscii = 0;
    countedUncertain = 0;
    return 0;
  }
  if (text.length > MAX_MEMO_TEXT) {
    countFeatures(text, features);
    countedChars = features[CHARS]!;
    countedNonAscii = nonAsciiOf(features);
    const total = weigh(features, profile);
    countedUncertain = weighedUncertain;
    return total;
  }
  let counted = memo.get(text);
  if (counted === undefined) {
    const vector = new Float64Array(VECTOR_LENGTH);
    countFeatures(text, vector);
    counted = new Counted(vector);
    memo.set(text, counted);
  }
  countedChars = counted.chars;
  countedNonAscii = counted.nonAscii;
  // Profiles are constants: a sum kept for the same one is the same sum.
  if (counted.profile !== profile) {
    counted.total = weigh(counted.vector, profile);
    counted.uncertain = weighedUncertain;
    counted.profile = profile;
  }
  countedUncertain = counted.uncertain;
  return counted.total;
}

/** The profile and calibration key of `{ model, provider }`. */
export interface HeuristicContext {
  readonly profile: HeuristicProfile;
  readonly key: string;
  /**
   * Whether the model runs locally (an Ollama model): a local model with an encoding (`gpt-oss`)
   * has its text counted exactly, but the server frames the chat with its own template, so the
   * framing is an estimate that a calibrator corrects.
   */
  readonly local: boolean;
}

// Memo of contexts by provider, then model: resolved on every estimate and every calibrator
// lookup, from a name that rarely changes. Dropped when a registration changes what names
// resolve to, and bounded like the registry's own memo (entries, and names of at most
// MAX_MEMO_NAME characters).
const contexts = new Map<string, Map<string, HeuristicContext>>();
let contextsGeneration = -1;
let memoized = 0;
const MAX_MEMOIZED = 10_000;

/** Resolves the profile and calibration key of `{ model, provider }`. */
export function heuristicContext(
  model: string | undefined,
  provider: Provider | undefined,
): HeuristicContext {
  // A name too long to be a real one is not held (see MAX_MEMO_NAME).
  if (model === undefined || model.length > MAX_MEMO_NAME) return resolveContext(model, provider);
  const generation = registryGeneration();
  if (generation !== contextsGeneration || memoized >= MAX_MEMOIZED) {
    contexts.clear();
    contextsGeneration = generation;
    memoized = 0;
  }
  const scope = provider ?? '';
  let byModel = contexts.get(scope);
  if (byModel === undefined) {
    byModel = new Map();
    contexts.set(scope, byModel);
  }
  let context = byModel.get(model);
  if (context === undefined) {
    context = resolveContext(model, provider);
    byModel.set(model, context);
    memoized++;
  }
  return context;
}

function resolveContext(
  model: string | undefined,
  provider: Provider | undefined,
): HeuristicContext {
  const record = model !== undefined ? resolveModelRecord(model) : undefined;
  const effective = provider ?? record?.provider ?? 'openai';
  const id = record?.id ?? model?.trim().toLowerCase();
  return Object.freeze({
    profile: profileFor(effective, id),
    key: record ? `${record.provider}/${record.id}` : `${effective}/${id ?? '*'}`,
    local: record?.provider === 'ollama',
  });
}

/** Heuristic token count of a text or a chat request under a profile. */
export function heuristicTokens(
  input: string | readonly ChatMessage[],
  profile: HeuristicProfile,
  tools: readonly ChatTool[] | undefined,
  /** The path of `input` in the caller's arguments, for an error. */
  list = 'input',
): { tokens: number; chars: number; nonAscii: number; uncertain: number } {
  let chars = 0;
  let nonAscii = 0;
  let uncertain = 0;
  let total = 0;
  if (typeof input === 'string') {
    total = rawCount(input, profile);
    chars += countedChars;
    nonAscii += countedNonAscii;
    uncertain += countedUncertain;
  } else {
    total = profile.priming;
    for (let at = 0; at < input.length; at++) {
      const message = input[at]!;
      total += profile.perMessage;
      if (typeof message.name === 'string') total += profile.perName;
      const n = messageStrings(message, strings, at, list);
      for (let i = 0; i < n; i++) {
        total += rawCount(strings[i]!, profile);
        chars += countedChars;
        nonAscii += countedNonAscii;
        uncertain += countedUncertain;
        // Not kept alive by the scratch array: the prompt's strings. (An element store, where
        // `length = 0` is a call into the runtime and gives the array's storage back, to be
        // grown again by the next estimate.)
        strings[i] = '';
      }
      // Tool calls' framing: harmony's, as the tool definitions' is OpenAI's (see TOOL_FORMAT).
      total += callFraming(message, HARMONY_CALLS);
    }
  }
  if (tools !== undefined && tools.length > 0) {
    const parts = toolParts(tools, TOOL_FORMAT);
    total += parts.overhead;
    for (const text of parts.strings) {
      total += rawCount(text, profile);
      chars += countedChars;
      nonAscii += countedNonAscii;
      uncertain += countedUncertain;
    }
  }
  return { tokens: Math.round(total), chars, nonAscii, uncertain };
}

/** @internal Model names whose context is memoised (tests check the bound and the clearing). */
export function memoizedContexts(): number {
  return memoized;
}
