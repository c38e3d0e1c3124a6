/**
 * The built-in model table: context windows, output limits, encodings and prices.
 *
 * Every row names the source its figures were read from (`source`, a key of `DATA_SOURCES`), and
 * every source records where it is (repository, file and commit, or page address) and the date
 * its figures stand for. Facts and figures only: nothing here is copied code.
 *
 * Prices are USD per million tokens, standard (non-batch) tier, for prompts under
 * any long-context surcharge threshold. The cache-write price is the source's
 * `cache_creation_input_token_cost`: Anthropic's 5-minute writes (its 1-hour writes cost more and
 * are not modelled) and OpenAI's from GPT-5.6 on; a row without one writes at the input price.
 * OpenAI's `priority` tier has prices of its own, in `PRIORITY` below.
 * `contextWindow` is the source's input limit (`max_input_tokens`): for the gpt-5, gpt-5.1 and
 * gpt-5.2 families that is 272,000 of a 400,000 total, so a prompt that passes `fitsContext` is
 * one the API accepts. Perplexity's per-request
 * search fees are not token prices and are not included. Local Ollama models cost an explicit 0;
 * their context windows are what the model was trained for, the server's `num_ctx` may be smaller
 * (pass `contextWindow`).
 *
 * To correct or add a model at run time, use `registerModel()`.
 */
import type { EncodingName, Provider } from '../types';

/** Where a row's figures come from. */
export interface DataSource {
  /** What the source is. */
  title: string;
  /** Where it is: a permalink to the file at the commit read, or a page address. */
  url: string;
  /** The commit of the stored version that was read, for repository sources. */
  commit?: string | undefined;
  /** The date (YYYY-MM-DD) its figures stand for; see `dateNote` for how it was established. */
  date: string;
  /** How `date` was established, and anything a reader must know about the source. */
  dateNote: string;
}

const LITELLM_COMMIT = '00035b69f416be24e2e323c13198d9b7d2d1bdf9';

/** The sources of the table, by key. */
export const DATA_SOURCES = {
  litellm: {
    title: 'BerriAI/litellm model_prices_and_context_window.json',
    url: `https://github.com/BerriAI/litellm/blob/${LITELLM_COMMIT}/model_prices_and_context_window.json`,
    commit: LITELLM_COMMIT,
    date: '2026-04-23',
    dateNote:
      'Read on 2026-11-26 from the stored copy of the file at this commit. The store does not ' +
      'give the commit date; 2026-04-23 is the newest date among its entries (gpt-5.5-2026-04-23), ' +
      'so the prices are at least that recent. Models released after the stored version are missing.',
  },
  'ollama-fixture': {
    title: 'Recorded Ollama server responses (/api/show llama3.2, /api/tags)',
    url: 'https://github.com/ollama/ollama/blob/main/docs/api.md#show-model-information',
    date: '2026-08-24',
    dateNote:
      "The repository's packages/ollama-sim/src/__fixtures__/ollama/05-show-llama3.2.json and " +
      '04-tags.json, recorded from a real Ollama server on 2026-08-24 (their Date header); the ' +
      'context length is the model_info / details.context_length the server reported.',
  },
  'ollama-library': {
    title: 'Ollama library model cards',
    url: 'https://ollama.com/library',
    date: '2025-08-15',
    dateNote:
      'The trained context length on each family’s model card, as the 2025-08-15 table had it. ' +
      'The model cards are not in the stored public material available on 2026-11-26, so these ' +
      'rows are not re-verified; pass the server’s num_ctx as `contextWindow` when it matters.',
  },
} as const satisfies Record<string, DataSource>;

/** A key of `DATA_SOURCES`. */
export type DataSourceKey = keyof typeof DATA_SOURCES;

/** The date the hosted providers' prices stand for (YYYY-MM-DD); also in each `pricing.asOf`. */
export const PRICES_AS_OF: string = DATA_SOURCES.litellm.date;

/** Where each provider's data comes from (the source of most of its rows). */
export const MODEL_SOURCES: Readonly<Record<Provider, string>> = {
  openai: DATA_SOURCES.litellm.url,
  anthropic: DATA_SOURCES.litellm.url,
  gemini: DATA_SOURCES.litellm.url,
  mistral: DATA_SOURCES.litellm.url,
  perplexity: DATA_SOURCES.litellm.url,
  ollama: `${DATA_SOURCES['ollama-library'].url} (model cards), confirmed where possible by ${DATA_SOURCES.litellm.url} and recorded Ollama /api/show and /api/tags responses`,
};

/** [input, output, cachedInput?, cacheWrite?] in USD per 1M tokens. */
export type Price = readonly [number, number, (number | undefined)?, number?];

/** One row of the table. */
export interface ModelRecord {
  id: string;
  provider: Provider;
  contextWindow: number;
  maxOutputTokens: number;
  encoding: EncodingName | null;
  /**
   * [input, output, cachedInput?, cacheWrite?] in USD per 1M tokens; null when unknown. A
   * cacheWrite without a cachedInput leaves the third element `undefined`.
   */
  price: Price | null;
  /**
   * OpenAI's `priority` tier: [input, output, cachedInput?, cacheWrite?] in USD per 1M tokens;
   * absent when the model has none known.
   */
  priority?: Price | undefined;
  aliases?: readonly string[] | undefined;
  /** Where the figures come from (built-in rows; absent on registered ones). */
  source?: DataSourceKey | undefined;
}

/** A built-in row: always sourced. */
export type SourcedModelRecord = ModelRecord & { source: DataSourceKey };

type Row = [
  id: string,
  contextWindow: number,
  maxOutputTokens: number,
  price: Price | null,
  aliases?: readonly string[],
];

/**
 * OpenAI's `priority` tier by row id: the source's `input_cost_per_token_priority`,
 * `output_cost_per_token_priority`, `cache_read_input_token_cost_priority` and (gpt-5.6 family)
 * `cache_creation_input_token_cost_priority`, read from the entry each row comes from. A chat row
 * missing here has no priority price in the source (gpt-5-chat-latest, chatgpt-4o-latest, o1,
 * o1-pro, o3-pro, o3-mini, gpt-4-turbo, gpt-4, gpt-3.5-turbo) or an unusable one: the source's
 * `gpt-5-nano` gives an input price 50 times its standard one and no output price, so it is left
 * out rather than guessed. The embedding rows have none (OpenAI's priority tier is for responses).
 */
const PRIORITY: Readonly<Record<string, Price>> = {
  'gpt-5.6': [10, 60, 1, 12.5],
  'gpt-5.6-sol': [10, 60, 1, 12.5],
  'gpt-5.6-terra': [5, 30, 0.5, 6.25],
  'gpt-5.6-luna': [2, 12, 0.2, 2.5],
  'gpt-5.5': [10, 60, 1],
  'gpt-5.4': [5, 30, 0.5],
  'gpt-5.2': [3.5, 28, 0.35],
  'gpt-5.1': [2.5, 20, 0.25],
  'gpt-5': [2.5, 20, 0.25],
  'gpt-5-mini': [0.45, 3.6, 0.045],
  'gpt-4.1': [3.5, 14, 0.875],
  'gpt-4.1-mini': [0.7, 2.8, 0.175],
  // The source's undated `gpt-4.1-nano` (its dated entry, which the row's other figures come from,
  // has no priority price).
  'gpt-4.1-nano': [0.2, 0.8, 0.05],
  'gpt-4o': [4.25, 17, 2.125],
  'gpt-4o-2024-05-13': [8.75, 26.25],
  'gpt-4o-mini': [0.25, 1, 0.125],
  o3: [3.5, 14, 0.875],
  'o4-mini': [2, 8, 0.5],
};

function rows(
  provider: Provider,
  encoding: EncodingName | null,
  source: DataSourceKey,
  list: Row[],
): SourcedModelRecord[] {
  return list.map(([id, contextWindow, maxOutputTokens, price, aliases]) => ({
    id,
    provider,
    contextWindow,
    maxOutputTokens,
    encoding,
    price,
    source,
    ...(provider === 'openai' && Object.hasOwn(PRIORITY, id) ? { priority: PRIORITY[id] } : {}),
    ...(aliases ? { aliases } : {}),
  }));
}

const local = (
  source: DataSourceKey,
  list: [id: string, contextWindow: number, encoding?: EncodingName][],
) =>
  list.map(
    ([id, contextWindow, encoding]): SourcedModelRecord => ({
      id,
      provider: 'ollama',
      contextWindow,
      maxOutputTokens: contextWindow,
      encoding: encoding ?? null,
      price: [0, 0, 0],
      source,
    }),
  );

export const MODELS: readonly SourcedModelRecord[] = [
  // Each row: the entry of the same name in the litellm file unless a comment says otherwise.
  ...rows('openai', 'o200k_base', 'litellm', [
    // The source's `gpt-5.6`, `gpt-5.6-sol`, `gpt-5.6-terra` and `gpt-5.6-luna` (no dated snapshot).
    ['gpt-5.6', 1_050_000, 128_000, [5, 30, 0.5, 6.25]],
    ['gpt-5.6-sol', 1_050_000, 128_000, [5, 30, 0.5, 6.25]],
    ['gpt-5.6-terra', 1_050_000, 128_000, [2.5, 15, 0.25, 3.125]],
    ['gpt-5.6-luna', 1_050_000, 128_000, [1, 6, 0.1, 1.25]],
    ['gpt-5.5', 1_050_000, 128_000, [5, 30, 0.5]],
    ['gpt-5.4', 1_050_000, 128_000, [2.5, 15, 0.25]],
    ['gpt-5.2', 272_000, 128_000, [1.75, 14, 0.175]],
    ['gpt-5.1', 272_000, 128_000, [1.25, 10, 0.125]],
    ['gpt-5', 272_000, 128_000, [1.25, 10, 0.125]],
    ['gpt-5-chat-latest', 128_000, 16_384, [1.25, 10, 0.125]],
    ['gpt-5-mini', 272_000, 128_000, [0.25, 2, 0.025]],
    ['gpt-5-nano', 272_000, 128_000, [0.05, 0.4, 0.005]],
    ['gpt-4.1', 1_047_576, 32_768, [2, 8, 0.5]],
    ['gpt-4.1-mini', 1_047_576, 32_768, [0.4, 1.6, 0.1]],
    // From `gpt-4.1-nano-2025-04-14`.
    ['gpt-4.1-nano', 1_047_576, 32_768, [0.1, 0.4, 0.025]],
    ['gpt-4o', 128_000, 16_384, [2.5, 10, 1.25]],
    ['gpt-4o-2024-05-13', 128_000, 4_096, [5, 15]],
    ['chatgpt-4o-latest', 128_000, 4_096, [5, 15]],
    ['gpt-4o-mini', 128_000, 16_384, [0.15, 0.6, 0.075]],
    ['o1', 200_000, 100_000, [15, 60, 7.5]],
    ['o1-pro', 200_000, 100_000, [150, 600]],
    ['o3', 200_000, 100_000, [2, 8, 0.5]],
    ['o3-pro', 200_000, 100_000, [20, 80]],
    ['o3-mini', 200_000, 100_000, [1.1, 4.4, 0.55]],
    ['o4-mini', 200_000, 100_000, [1.1, 4.4, 0.275]],
  ]),
  ...rows('openai', 'cl100k_base', 'litellm', [
    [
      'gpt-4-turbo',
      128_000,
      4_096,
      [10, 30],
      ['gpt-4-turbo-preview', 'gpt-4-1106-preview', 'gpt-4-0125-preview'],
    ],
    ['gpt-4', 8_192, 4_096, [30, 60], ['gpt-4-0613', 'gpt-4-0314']],
    ['gpt-3.5-turbo', 16_385, 4_096, [0.5, 1.5], ['gpt-35-turbo', 'gpt-3.5-turbo-0125']],
    ['text-embedding-3-small', 8_191, 0, [0.02, 0]],
    ['text-embedding-3-large', 8_191, 0, [0.13, 0]],
    ['text-embedding-ada-002', 8_191, 0, [0.1, 0]],
  ]),
  ...rows('anthropic', null, 'litellm', [
    ['claude-sonnet-5', 1_000_000, 128_000, [2, 10, 0.2, 2.5]],
    ['claude-opus-4-8', 1_000_000, 128_000, [5, 25, 0.5, 6.25]],
    ['claude-opus-4-7', 1_000_000, 128_000, [5, 25, 0.5, 6.25]],
    ['claude-opus-4-6', 1_000_000, 128_000, [5, 25, 0.5, 6.25]],
    ['claude-opus-4-5', 200_000, 64_000, [5, 25, 0.5, 6.25]],
    ['claude-sonnet-4-6', 1_000_000, 64_000, [3, 15, 0.3, 3.75]],
    ['claude-sonnet-4-5', 200_000, 64_000, [3, 15, 0.3, 3.75]],
    ['claude-haiku-4-5', 200_000, 64_000, [1, 5, 0.1, 1.25]],
    ['claude-opus-4-1', 200_000, 32_000, [15, 75, 1.5, 18.75]],
    // From `claude-opus-4-20250514`.
    ['claude-opus-4', 200_000, 32_000, [15, 75, 1.5, 18.75], ['claude-opus-4-0', 'claude-4-opus']],
    // From `claude-sonnet-4-20250514`: the source gives the 1M window (above 200K prompt tokens
    // Anthropic bills a higher rate, not modelled here).
    [
      'claude-sonnet-4',
      1_000_000,
      64_000,
      [3, 15, 0.3, 3.75],
      ['claude-sonnet-4-0', 'claude-4-sonnet'],
    ],
    // From `claude-3-7-sonnet-20250219` (deprecation date 2026-02-19 in the source).
    ['claude-3-7-sonnet', 200_000, 64_000, [3, 15, 0.3, 3.75]],
    // From `claude-3-opus-20240229` (deprecation date 2026-05-01 in the source).
    ['claude-3-opus', 200_000, 4_096, [15, 75, 1.5, 18.75]],
    // From `claude-3-haiku-20240307`.
    ['claude-3-haiku', 200_000, 4_096, [0.25, 1.25, 0.03, 0.3]],
  ]),
  // The `gemini/...` entries (Gemini API, not Vertex AI).
  ...rows('gemini', null, 'litellm', [
    ['gemini-3.1-flash-lite', 1_048_576, 65_536, [0.25, 1.5, 0.025]],
    ['gemini-2.5-pro', 1_048_576, 65_535, [1.25, 10, 0.125]],
    ['gemini-2.5-flash', 1_048_576, 65_535, [0.3, 2.5, 0.03]],
    ['gemini-2.5-flash-lite', 1_048_576, 65_535, [0.1, 0.4, 0.01]],
    // Deprecation date 2026-06-01 in the source.
    ['gemini-2.0-flash', 1_048_576, 8_192, [0.1, 0.4, 0.025]],
    ['gemini-2.0-flash-lite', 1_048_576, 8_192, [0.075, 0.3, 0.01875]],
  ]),
  // The `mistral/...` entries. `-latest` aliases follow the entry the source gives for them.
  ...rows('mistral', null, 'litellm', [
    // `mistral-large-latest` is Mistral Large 3 (`mistral-large-2512`).
    ['mistral-large', 262_144, 262_144, [0.5, 1.5], ['mistral-large-latest', 'mistral-large-3']],
    ['mistral-large-2411', 128_000, 128_000, [2, 6]],
    // `mistral-medium-latest` is Mistral Medium 3.5 (`mistral-medium-2604`).
    [
      'mistral-medium',
      262_144,
      262_144,
      [1.5, 7.5],
      ['mistral-medium-latest', 'mistral-medium-3-5'],
    ],
    ['mistral-medium-2508', 131_072, 131_072, [0.4, 2], ['mistral-medium-3-1']],
    ['mistral-medium-2505', 131_072, 8_191, [0.4, 2]],
    // From `mistral-small-latest` (= `mistral-small-3-2-2506`).
    ['mistral-small', 131_072, 131_072, [0.06, 0.18], ['mistral-small-latest']],
    // From `codestral-2508`; the source's `codestral-latest` entry still carries the 2405 figures.
    ['codestral', 256_000, 256_000, [0.3, 0.9]],
    ['devstral-medium', 256_000, 256_000, [0.4, 2], ['devstral-medium-latest', 'devstral-latest']],
    ['devstral-small', 256_000, 256_000, [0.1, 0.3], ['devstral-small-latest']],
    ['magistral-medium', 40_000, 40_000, [2, 5], ['magistral-medium-latest']],
    ['magistral-small', 40_000, 40_000, [0.5, 1.5], ['magistral-small-latest']],
    ['open-mistral-nemo', 128_000, 128_000, [0.3, 0.3]],
    // From `ministral-8b-latest` / `ministral-3-8b-2512`.
    ['ministral-8b', 262_144, 262_144, [0.15, 0.15], ['ministral-8b-latest', 'ministral-3-8b']],
    // From `ministral-3-3b-2512`.
    ['ministral-3b', 131_072, 131_072, [0.1, 0.1], ['ministral-3-3b']],
  ]),
  // The `perplexity/...` entries; where the source gives no output limit, its `max_tokens`.
  ...rows('perplexity', null, 'litellm', [
    ['sonar', 128_000, 128_000, [1, 1]],
    ['sonar-pro', 200_000, 8_000, [3, 15]],
    ['sonar-reasoning', 128_000, 128_000, [1, 5]],
    ['sonar-reasoning-pro', 128_000, 128_000, [2, 8]],
    ['sonar-deep-research', 128_000, 128_000, [2, 8]],
  ]),
  ...local('ollama-fixture', [
    ['llama3.2', 131_072],
    ['qwen2.5', 32_768],
  ]),
  // The `ollama/...` entries, where they agree with the model card.
  ...local('litellm', [
    ['llama2', 4_096],
    ['llama3', 8_192],
    // Mistral 7B v0.1; v0.2+ tags support 32K (the source's `mistral-7B-Instruct-v0.2`):
    // registerModel() or pass the server's num_ctx as `contextWindow`.
    ['mistral', 8_192],
    ['mixtral', 32_768],
    ['codegemma', 8_192],
    ['vicuna', 2_048],
    // From `ollama/gpt-oss:20b-cloud` and `ollama/gpt-oss:120b-cloud`.
    ['gpt-oss', 131_072, 'o200k_base'],
  ]),
  ...local('ollama-library', [
    // The litellm file says 4,096 for `ollama/codellama`; the model card says 16K.
    ['codellama', 16_384],
    // The litellm file says 8,192 for `ollama/llama3.1`; the model card says 128K.
    ['llama3.1', 131_072],
    ['llama3.2-vision', 131_072],
    ['llama3.3', 131_072],
    ['mistral-nemo', 131_072],
    ['mistral-small', 32_768],
    ['qwen', 32_768],
    ['qwen2', 32_768],
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
  ]),
];
