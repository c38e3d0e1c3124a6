/**
 * The built-in model table: context windows, output limits, encodings and prices.
 *
 * Prices are USD per million tokens, standard (non-batch) tier, for prompts under any long-context
 * surcharge threshold, as each provider's public pricing page listed in `MODEL_SOURCES` gave them
 * on the date in `PRICES_AS_OF` (not re-checked since; models released later are missing). Perplexity's per-request search fees are not token prices and
 * are not included. Local Ollama models cost an explicit 0. Context windows of Ollama models are
 * what the model was trained for; the server's `num_ctx` may be smaller (pass `contextWindow`).
 *
 * To correct or add a model at run time, use `registerModel()`.
 */
import type { EncodingName, Provider } from '../types';

/** The date the prices below were taken (YYYY-MM-DD); also in each `pricing.asOf`. */
export const PRICES_AS_OF = '2025-08-15';

/** Where the data comes from. */
export const MODEL_SOURCES: Readonly<Record<Provider, string>> = {
  openai: 'https://platform.openai.com/docs/pricing and https://platform.openai.com/docs/models',
  anthropic: 'https://docs.anthropic.com/en/docs/about-claude/pricing and .../models/overview',
  gemini:
    'https://ai.google.dev/gemini-api/docs/pricing and https://ai.google.dev/gemini-api/docs/models',
  mistral: 'https://mistral.ai/pricing and https://docs.mistral.ai/getting-started/models/',
  perplexity: 'https://docs.perplexity.ai/getting-started/pricing',
  ollama: 'https://ollama.com/library (model cards: context length of each family)',
};

/** One row of the table. */
export interface ModelRecord {
  id: string;
  provider: Provider;
  contextWindow: number;
  maxOutputTokens: number;
  encoding: EncodingName | null;
  /** [input, output, cachedInput?] in USD per 1M tokens; null when unknown. */
  price: readonly [number, number, number?] | null;
  aliases?: readonly string[];
}

type Row = [
  id: string,
  contextWindow: number,
  maxOutputTokens: number,
  price: readonly [number, number, number?] | null,
  aliases?: readonly string[],
];

function rows(provider: Provider, encoding: EncodingName | null, list: Row[]): ModelRecord[] {
  return list.map(([id, contextWindow, maxOutputTokens, price, aliases]) => ({
    id,
    provider,
    contextWindow,
    maxOutputTokens,
    encoding,
    price,
    ...(aliases ? { aliases } : {}),
  }));
}

const local = (list: [id: string, contextWindow: number, encoding?: EncodingName][]) =>
  list.map(
    ([id, contextWindow, encoding]): ModelRecord => ({
      id,
      provider: 'ollama',
      contextWindow,
      maxOutputTokens: contextWindow,
      encoding: encoding ?? null,
      price: [0, 0, 0],
    }),
  );

export const MODELS: readonly ModelRecord[] = [
  ...rows('openai', 'o200k_base', [
    ['gpt-5', 400_000, 128_000, [1.25, 10, 0.125], ['gpt-5-chat-latest']],
    ['gpt-5-mini', 400_000, 128_000, [0.25, 2, 0.025]],
    ['gpt-5-nano', 400_000, 128_000, [0.05, 0.4, 0.005]],
    ['gpt-4.1', 1_047_576, 32_768, [2, 8, 0.5]],
    ['gpt-4.1-mini', 1_047_576, 32_768, [0.4, 1.6, 0.1]],
    ['gpt-4.1-nano', 1_047_576, 32_768, [0.1, 0.4, 0.025]],
    ['gpt-4o', 128_000, 16_384, [2.5, 10, 1.25], ['chatgpt-4o-latest']],
    ['gpt-4o-2024-05-13', 128_000, 4_096, [5, 15]],
    ['gpt-4o-mini', 128_000, 16_384, [0.15, 0.6, 0.075]],
    ['o1', 200_000, 100_000, [15, 60, 7.5]],
    ['o1-pro', 200_000, 100_000, [150, 600]],
    ['o1-mini', 128_000, 65_536, [1.1, 4.4, 0.55]],
    ['o3', 200_000, 100_000, [2, 8, 0.5]],
    ['o3-pro', 200_000, 100_000, [20, 80]],
    ['o3-mini', 200_000, 100_000, [1.1, 4.4, 0.55]],
    ['o4-mini', 200_000, 100_000, [1.1, 4.4, 0.275]],
  ]),
  ...rows('openai', 'cl100k_base', [
    [
      'gpt-4-turbo',
      128_000,
      4_096,
      [10, 30],
      ['gpt-4-turbo-preview', 'gpt-4-1106-preview', 'gpt-4-0125-preview'],
    ],
    ['gpt-4', 8_192, 8_192, [30, 60], ['gpt-4-0613', 'gpt-4-0314']],
    ['gpt-4-32k', 32_768, 32_768, [60, 120]],
    ['gpt-3.5-turbo', 16_385, 4_096, [0.5, 1.5], ['gpt-35-turbo', 'gpt-3.5-turbo-0125']],
    ['text-embedding-3-small', 8_191, 0, [0.02, 0]],
    ['text-embedding-3-large', 8_191, 0, [0.13, 0]],
    ['text-embedding-ada-002', 8_191, 0, [0.1, 0]],
  ]),
  ...rows('anthropic', null, [
    ['claude-opus-4-1', 200_000, 32_000, [15, 75, 1.5]],
    ['claude-opus-4', 200_000, 32_000, [15, 75, 1.5], ['claude-opus-4-0']],
    ['claude-sonnet-4', 200_000, 64_000, [3, 15, 0.3], ['claude-sonnet-4-0']],
    ['claude-3-7-sonnet', 200_000, 64_000, [3, 15, 0.3]],
    ['claude-3-5-sonnet', 200_000, 8_192, [3, 15, 0.3]],
    ['claude-3-5-haiku', 200_000, 8_192, [0.8, 4, 0.08]],
    ['claude-3-opus', 200_000, 4_096, [15, 75, 1.5]],
    ['claude-3-haiku', 200_000, 4_096, [0.25, 1.25, 0.03]],
  ]),
  ...rows('gemini', null, [
    ['gemini-2.5-pro', 1_048_576, 65_536, [1.25, 10, 0.31]],
    ['gemini-2.5-flash', 1_048_576, 65_536, [0.3, 2.5, 0.075]],
    ['gemini-2.5-flash-lite', 1_048_576, 65_536, [0.1, 0.4, 0.025]],
    ['gemini-2.0-flash', 1_048_576, 8_192, [0.1, 0.4, 0.025]],
    ['gemini-2.0-flash-lite', 1_048_576, 8_192, [0.075, 0.3]],
    ['gemini-1.5-pro', 2_097_152, 8_192, [1.25, 5, 0.3125]],
    ['gemini-1.5-flash', 1_048_576, 8_192, [0.075, 0.3, 0.01875]],
  ]),
  ...rows('mistral', null, [
    ['mistral-large', 131_072, 131_072, [2, 6], ['mistral-large-latest']],
    ['mistral-medium', 131_072, 131_072, [0.4, 2], ['mistral-medium-latest']],
    ['mistral-small', 131_072, 131_072, [0.1, 0.3], ['mistral-small-latest']],
    ['codestral', 262_144, 262_144, [0.3, 0.9], ['codestral-latest']],
    ['open-mistral-nemo', 131_072, 131_072, [0.15, 0.15]],
    ['ministral-8b', 131_072, 131_072, [0.1, 0.1], ['ministral-8b-latest']],
    ['ministral-3b', 131_072, 131_072, [0.04, 0.04], ['ministral-3b-latest']],
    ['pixtral-large', 131_072, 131_072, [2, 6], ['pixtral-large-latest']],
  ]),
  ...rows('perplexity', null, [
    ['sonar', 127_072, 8_000, [1, 1]],
    ['sonar-pro', 200_000, 8_000, [3, 15]],
    ['sonar-reasoning', 127_072, 8_000, [1, 5]],
    ['sonar-reasoning-pro', 127_072, 8_000, [2, 8]],
    ['sonar-deep-research', 127_072, 8_000, [2, 8]],
  ]),
  ...local([
    ['llama2', 4_096],
    ['codellama', 16_384],
    ['llama3', 8_192],
    ['llama3.1', 131_072],
    ['llama3.2', 131_072],
    ['llama3.2-vision', 131_072],
    ['llama3.3', 131_072],
    // The design's starting point (Mistral 7B v0.1); v0.2+ tags support 32k: registerModel() or
    // pass the server's num_ctx as `contextWindow`.
    ['mistral', 8_192],
    ['mistral-nemo', 131_072],
    ['mistral-small', 32_768],
    ['mixtral', 32_768],
    ['qwen', 32_768],
    ['qwen2', 32_768],
    ['qwen2.5', 32_768],
    ['qwen2.5-coder', 32_768],
    ['qwen3', 40_960],
    ['gemma', 8_192],
    ['gemma2', 8_192],
    ['gemma3', 131_072],
    ['gemma3:1b', 32_768],
    ['gemma3:270m', 32_768],
    ['phi3', 4_096],
    ['phi4', 16_384],
    ['deepseek-r1', 131_072],
    ['tinyllama', 2_048],
    ['gpt-oss', 131_072, 'o200k_base'],
  ]),
];
