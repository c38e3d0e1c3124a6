import { expectNumber, expectString, optionalString } from '@x/internal';
import { DATA_SOURCES, MODELS, type ModelRecord, PRICES_AS_OF } from './data/models';
import { expectEncoding, expectOptions, expectProvider, KEYS } from './options';
import type { EncodingName, ModelInfo, ModelPricing, Provider } from './types';

/** Input of `registerModel`. */
export interface RegisterModelInput {
  /** Model id (matched case-insensitively; Ollama names may carry a tag, `family:tag`). */
  id: string;
  provider: Provider;
  /** Maximum prompt + output tokens; an integer >= 1. */
  contextWindow: number;
  /**
   * Maximum reply tokens.
   * @default contextWindow
   */
  maxOutputTokens?: number | undefined;
  /**
   * The tiktoken encoding, to count the model exactly (an Azure deployment name of gpt-4o, say).
   * @default null
   */
  encoding?: EncodingName | null | undefined;
  /**
   * Prices in USD per 1M tokens; `asOf` defaults to today.
   * @default null (unknown; Ollama models default to zero prices)
   */
  pricing?: (Omit<ModelPricing, 'asOf'> & { asOf?: string | undefined }) | null | undefined;
}

const PREFIXES = /^(?:openai|anthropic|google|gemini|models|mistral|mistralai|perplexity)\//;

const builtinHosted = new Map<string, ModelRecord>();
const builtinLocal = new Map<string, ModelRecord>();
for (const record of MODELS) {
  const target = record.provider === 'ollama' ? builtinLocal : builtinHosted;
  for (const key of [record.id, ...(record.aliases ?? [])]) target.set(key.toLowerCase(), record);
}
const customHosted = new Map<string, ModelRecord>();
const customLocal = new Map<string, ModelRecord>();
const resolved = new Map<string, ModelRecord | null>();
/** Bumped whenever a registration changes what a name resolves to: memos keyed by name drop. */
let generation = 0;

/** @internal The registry's generation: a memo built under another generation is stale. */
export function registryGeneration(): number {
  return generation;
}

function forgetResolved(): void {
  resolved.clear();
  generation++;
}

function find(key: string, local: boolean): ModelRecord | undefined {
  return local
    ? (customLocal.get(key) ?? builtinLocal.get(key))
    : (customHosted.get(key) ?? builtinHosted.get(key));
}

// A known id followed only by snapshot markers: dates (`-2024-08-06`, `-20241022`, `-0613`,
// `-2411`), `-latest`, `-preview`, `-exp`, `-001`. Anything else (`o3-deep-research`,
// `gpt-5.4-mini`) is another model, and guessing its price would be silently wrong.
const SNAPSHOT_SUFFIX = /^(?:-(?:\d{2,8}|latest|preview|exp))+$/;

function findByPrefix(name: string, local: boolean): ModelRecord | undefined {
  let end = name.lastIndexOf('-');
  while (end > 0) {
    if (!SNAPSHOT_SUFFIX.test(name.slice(end))) return undefined;
    const hit = find(name.slice(0, end), local);
    if (hit !== undefined) return hit;
    end = name.lastIndexOf('-', end - 1);
  }
  return undefined;
}

function resolveUncached(model: string): ModelRecord | undefined {
  let name = model.trim().toLowerCase();
  let forceLocal = false;
  if (name.startsWith('ollama/')) {
    name = name.slice('ollama/'.length);
    forceLocal = true;
  }
  name = name.replace(PREFIXES, '');
  const colon = name.indexOf(':');
  if (colon >= 0 || forceLocal) {
    // An Ollama name: `[namespace/]family[:tag]`, e.g. `llama3.2:3b-instruct-q4_K_M`.
    const full = colon >= 0 ? name : `${name}:latest`;
    const at = full.indexOf(':');
    const family = full.slice(0, at).slice(full.slice(0, at).lastIndexOf('/') + 1);
    const tag = full.slice(at + 1);
    const size = tag.split('-')[0]!;
    return (
      find(`${family}:${tag}`, true) ??
      find(`${family}:${size}`, true) ??
      find(family, true) ??
      findByPrefix(family, true)
    );
  }
  return (
    find(name, false) ?? find(name, true) ?? findByPrefix(name, false) ?? findByPrefix(name, true)
  );
}

function resolve(model: string): ModelRecord | undefined {
  const cached = resolved.get(model);
  if (cached !== undefined) return cached ?? undefined;
  const record = resolveUncached(model);
  // Bounded: model names come from configuration, but stay safe against unbounded inputs.
  if (resolved.size >= 10_000) resolved.clear();
  resolved.set(model, record ?? null);
  return record;
}

/** A record's prices (USD per million tokens), or null when it has none. */
function pricingOf(record: ModelRecord): ModelPricing | null {
  if (record.price === null) return null;
  const [input, output, cachedInput] = record.price;
  const asOf =
    (record as { asOf?: string | undefined }).asOf ??
    (record.source ? DATA_SOURCES[record.source].date : PRICES_AS_OF);
  const pricing: ModelPricing = { input, output, asOf };
  if (cachedInput !== undefined) pricing.cachedInput = cachedInput;
  return pricing;
}

/**
 * @internal The prices of a model, without building the rest of its info: `estimateCost` runs
 * after every answer of a provider.
 */
export function modelPricing(model: string): ModelPricing | null | undefined {
  const record = resolve(model);
  return record === undefined ? undefined : pricingOf(record);
}

function toInfo(record: ModelRecord): ModelInfo {
  const local = record.provider === 'ollama';
  const pricing = pricingOf(record);
  return {
    id: record.id,
    provider: record.provider,
    contextWindow: record.contextWindow,
    maxOutputTokens: record.maxOutputTokens,
    encoding: record.encoding,
    pricing,
    local,
  };
}

/**
 * What the registry knows about a model: provider, context window, output limit, encoding and
 * prices. Names resolve case-insensitively, through aliases, provider prefixes (`openai/gpt-4o`,
 * `ollama/llama3`), dated snapshots (`gpt-4o-2024-08-06` -> `gpt-4o`) and Ollama tags
 * (`llama3.2:3b-instruct-q4_K_M` -> `llama3.2`).
 *
 * @returns the model's info, or `undefined` for an unknown model.
 * @example
 * getModelInfo('llama3.2:3b-instruct-q4_K_M')?.contextWindow // 131072
 */
export function getModelInfo(model: string): ModelInfo | undefined {
  expectString('model', model, true);
  const record = resolve(model);
  return record === undefined ? undefined : toInfo(record);
}

/**
 * Adds a model to the registry or overrides a built-in one (in this process).
 *
 * @returns a function that removes the registration again.
 * @throws {TypeError | RangeError} on invalid input.
 * @example
 * registerModel({ id: 'my-gpt4o-deployment', provider: 'openai', contextWindow: 128000, encoding: 'o200k_base' });
 */
export function registerModel(input: RegisterModelInput): () => void {
  expectOptions('input', undefined, input, KEYS.registerModel);
  expectString('id', input.id, true);
  expectProvider(input.provider);
  expectNumber('contextWindow', input.contextWindow, { min: 1, integer: true });
  const maxOutputTokens = input.maxOutputTokens ?? input.contextWindow;
  expectNumber('maxOutputTokens', maxOutputTokens, { min: 0, integer: true });
  if (input.encoding !== undefined && input.encoding !== null) expectEncoding(input.encoding);
  let price: ModelRecord['price'] = input.provider === 'ollama' ? [0, 0, 0] : null;
  let asOf: string | undefined;
  if (input.pricing !== undefined && input.pricing !== null) {
    const { pricing } = input;
    expectOptions('pricing', 'pricing', pricing, KEYS.pricing);
    expectNumber('pricing.input', pricing.input, { min: 0 });
    expectNumber('pricing.output', pricing.output, { min: 0 });
    if (pricing.cachedInput !== undefined) {
      expectNumber('pricing.cachedInput', pricing.cachedInput, { min: 0 });
    }
    optionalString('pricing.asOf', pricing.asOf);
    price = [pricing.input, pricing.output, pricing.cachedInput];
    asOf = pricing.asOf ?? new Date().toISOString().slice(0, 10);
  }
  const record: ModelRecord & { asOf?: string | undefined } = {
    id: input.id.trim(),
    provider: input.provider,
    contextWindow: input.contextWindow,
    maxOutputTokens,
    encoding: input.encoding ?? null,
    price: price && price[2] === undefined ? [price[0], price[1]] : price,
    ...(asOf ? { asOf } : {}),
  };
  const key = record.id.toLowerCase().replace(/^ollama\//, '');
  const target = input.provider === 'ollama' ? customLocal : customHosted;
  target.set(key, record);
  forgetResolved();
  return () => {
    if (target.get(key) === record) {
      target.delete(key);
      forgetResolved();
    }
  };
}

/**
 * The encoding the registry records for a model: an encoding, `null` (known model, no exact
 * tokenizer) or `undefined` (unknown model).
 * @internal
 */
export function lookupRegisteredEncoding(model: string): EncodingName | null | undefined {
  const record = resolve(model);
  return record === undefined ? undefined : record.encoding;
}

/** @internal */
export function resolveModelRecord(model: string): ModelRecord | undefined {
  return resolve(model);
}
