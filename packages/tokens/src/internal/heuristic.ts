import { messageStrings, toolParts } from '../chat';
import { resolveModelRecord } from '../models';
import type { ChatMessage, Provider, ToolDefinition } from '../types';
import { FEATURE_NAMES, textFeatures } from './features';
import { type HeuristicProfile, nonAsciiChars, PROFILES } from './profiles';

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

function rawCount(
  text: string,
  profile: HeuristicProfile,
  totals: { chars: number; nonAscii: number },
): number {
  if (text === '') return 0;
  const features = textFeatures(text);
  totals.chars += features.chars;
  totals.nonAscii += nonAsciiChars(features);
  let total = 0;
  for (const name of FEATURE_NAMES) total += features[name] * profile.weights[name];
  return Math.max(1, total);
}

/** Resolves the profile and calibration key of `{ model, provider }`. */
export function heuristicContext(
  model: string | undefined,
  provider: Provider | undefined,
): { profile: HeuristicProfile; key: string } {
  const record = model !== undefined ? resolveModelRecord(model) : undefined;
  const effective = provider ?? record?.provider ?? 'openai';
  const id = record?.id ?? model?.trim().toLowerCase();
  return {
    profile: profileFor(effective, id),
    key: record ? `${record.provider}/${record.id}` : `${effective}/${id ?? '*'}`,
  };
}

/** Heuristic token count of a text or a chat request under a profile. */
export function heuristicTokens(
  input: string | readonly ChatMessage[],
  profile: HeuristicProfile,
  tools: readonly ToolDefinition[] | undefined,
): { tokens: number; chars: number; nonAscii: number } {
  const totals = { chars: 0, nonAscii: 0 };
  let total = 0;
  if (typeof input === 'string') {
    total = rawCount(input, profile, totals);
  } else {
    total = profile.priming;
    for (const message of input) {
      total += profile.perMessage;
      if (typeof message.name === 'string') total += profile.perName;
      for (const text of messageStrings(message)) total += rawCount(text, profile, totals);
    }
  }
  if (tools !== undefined && tools.length > 0) {
    const { strings, overhead } = toolParts(tools, TOOL_FORMAT);
    total += overhead;
    for (const text of strings) total += rawCount(text, profile, totals);
  }
  return { tokens: Math.round(total), ...totals };
}
