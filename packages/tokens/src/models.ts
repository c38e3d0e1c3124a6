import { expectNumber, expectString, fail, optionalString } from '@x/internal';
import { DATA_SOURCES, MODELS, type ModelRecord, PRICES_AS_OF, type Price } from './data/models';
import { expectEncoding, expectOptions, expectProvider, KEYS } from './options';
import type { EncodingName, ModelInfo, ModelPricing, Provider, TierPricing } from './types';

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
   * The tiktoken encoding, to count the model exactly (an Azure deployment name of gpt-4o, say);
   * `null`: no exact tokenizer.
   * @default the built-in model's of the same id, else OpenAI's naming rules', else null
   */
  encoding?: EncodingName | null | undefined;
  /**
   * Prices in USD per 1M tokens; `asOf` defaults to today.
   * @default null (unknown; Ollama models default to zero prices)
   */
  pricing?: (Omit<ModelPricing, 'asOf'> & { asOf?: string | undefined }) | null | undefined;
}

// Provider prefixes of routers and SDKs (litellm's `azure/gpt-4o`, OpenRouter's
// `openrouter/openai/gpt-4o`): the model after them is the same model.
const PREFIXES =
  /^(?:openrouter\/)?(?:openai|azure|anthropic|google|gemini|models|mistral|mistralai|perplexity)\//;
/** The prefixes under which OpenAI's naming rules still apply (Azure serves OpenAI's models). */
const OPENAI_PREFIXES = /^(?:openrouter\/)?(?:openai|azure)\//;

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
// `gpt-5.4-mini`) is another model, and guessing its price would be silently wrong. A `-preview`
// is a snapshot only beside a date (`gemini-2.5-flash-preview-05-20`, `gpt-4-0125-preview`): a
// bare one is another model (`o1-preview` had 128,000 tokens of context, not o1's 200,000).
const SNAPSHOT_PART = /^(?:-(?:\d{2,8}|latest|preview|exp))+$/;
function isSnapshotSuffix(suffix: string): boolean {
  return SNAPSHOT_PART.test(suffix) && (!suffix.includes('-preview') || /-\d/.test(suffix));
}
const DATED = /-\d{4}/;

/**
 * The date of a snapshot suffix as YYYYMMDD (a number that orders), `null` for a suffix without
 * one (`-latest`), or `undefined` for a date that cannot be ordered: OpenAI's `-0613` is MMDD
 * with no year (2023's 0613 comes after 2024's 0125), while Mistral's `-2411` is YYMM.
 */
function snapshotDate(suffix: string, provider: Provider): number | null | undefined {
  const parts = suffix.split('-').filter((part) => /^\d+$/.test(part));
  if (parts.length === 0) return null;
  const joined = parts.join('');
  if (parts.length === 3 && joined.length === 8) return Number(joined); // 2024-08-06
  if (parts.length === 1 && joined.length === 8) return Number(joined); // 20241022
  if (parts.length === 1 && joined.length === 4 && provider === 'mistral') {
    return Number(`20${joined}00`); // 2411
  }
  return undefined;
}

/**
 * Whether an unlisted snapshot (`base` + `suffix`) may take `record`'s data. The table lists
 * some snapshots of a model apart (`gpt-4o-2024-05-13`, `mistral-large-2411`, the alias
 * `gpt-3.5-turbo-0125`) because they differ from it: a snapshot dated after all of them is the
 * model as listed; one dated before them, or one whose date cannot be ordered against them, is
 * an older model the table does not have (`gpt-3.5-turbo-0613` had 4,096 tokens, not 16,385;
 * `mistral-large-2407` is Mistral Large 2, not 3), and is unknown rather than guessed.
 */
function snapshotOf(base: string, suffix: string, record: ModelRecord, local: boolean): boolean {
  const date = snapshotDate(suffix, record.provider);
  if (date === null) return true;
  const prefix = `${base}-`;
  for (const map of local ? [builtinLocal, customLocal] : [builtinHosted, customHosted]) {
    for (const key of map.keys()) {
      if (!key.startsWith(prefix)) continue;
      const listed = key.slice(base.length);
      if (!DATED.test(listed) || !isSnapshotSuffix(listed)) continue;
      const listedDate = snapshotDate(listed, record.provider);
      if (listedDate === null) continue;
      if (date === undefined || listedDate === undefined || date <= listedDate) return false;
    }
  }
  return true;
}

function findByPrefix(name: string, local: boolean): ModelRecord | undefined {
  let end = name.lastIndexOf('-');
  while (end > 0) {
    const suffix = name.slice(end);
    if (!isSnapshotSuffix(suffix)) return undefined;
    const base = name.slice(0, end);
    const hit = find(base, local);
    if (hit !== undefined) return snapshotOf(base, suffix, hit, local) ? hit : undefined;
    end = name.lastIndexOf('-', end - 1);
  }
  return undefined;
}

const O200K = /^(?:gpt-(?:4o|4\.1|4\.5|5|oss)|chatgpt-4o|codex-mini|o[134])(?:$|[-.:_])/;
const CL100K =
  /^(?:gpt-4|gpt-3\.5-turbo|gpt-35-turbo|text-embedding-3|text-embedding-ada-002)(?:$|[-.:_])/;

/**
 * @internal The encoding OpenAI's naming gives a model (`gpt-4o*` -> o200k_base, `gpt-4*` ->
 * cl100k_base...), ignoring an `openai/`, `azure/` or `openrouter/openai/` prefix and a fine-tuning
 * `ft:` one.
 */
export function namedEncoding(model: string): EncodingName | undefined {
  const name = model.trim().toLowerCase().replace(OPENAI_PREFIXES, '').replace(/^ft:/, '');
  if (O200K.test(name)) return 'o200k_base';
  if (CL100K.test(name)) return 'cl100k_base';
  return undefined;
}

/**
 * A name as the registry keys it: trimmed, lower-cased, without an `ollama/` prefix (which also
 * makes it an Ollama name) and a router's or SDK's provider prefix. Lookups and registrations
 * both go through it, so an id registered with a prefix is found with or without one.
 */
function normalizeName(model: string): { name: string; forceLocal: boolean } {
  let name = model.trim().toLowerCase();
  const forceLocal = name.startsWith('ollama/');
  if (forceLocal) name = name.slice('ollama/'.length);
  return { name: name.replace(PREFIXES, ''), forceLocal };
}

function resolveUncached(model: string): ModelRecord | undefined {
  const { name, forceLocal } = normalizeName(model);
  if (name.startsWith('ft:')) {
    // A fine-tuned model, `ft:<base>:<org>:<suffix>:<id>`: the base model's window and encoding,
    // but not its prices (fine-tuned models are billed at their own rates, not in the table).
    const base = name.slice(3).split(':', 1)[0]!;
    const record = base === '' ? undefined : resolveHosted(base);
    return record === undefined ? undefined : { ...record, price: null };
  }
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
  return resolveHosted(name);
}

function resolveHosted(name: string): ModelRecord | undefined {
  return (
    find(name, false) ?? find(name, true) ?? findByPrefix(name, false) ?? findByPrefix(name, true)
  );
}

/**
 * The longest model name whose resolution is memoised. Real names are under 100 characters; a
 * longer one (a caller passing arbitrary text as the model) is resolved every time rather than
 * held: 2,000 names of 50,000 characters held 100 MB.
 */
export const MAX_MEMO_NAME = 256;
const MAX_RESOLVED = 10_000;

function resolve(model: string): ModelRecord | undefined {
  const cached = resolved.get(model);
  if (cached !== undefined) return cached ?? undefined;
  const record = resolveUncached(model);
  if (model.length > MAX_MEMO_NAME) return record;
  // Bounded: model names come from configuration, but stay safe against unbounded inputs.
  if (resolved.size >= MAX_RESOLVED) resolved.clear();
  resolved.set(model, record ?? null);
  return record;
}

/** @internal Empties the memo of resolved names (`clearCountCache()`); nothing else changes. */
export function clearResolvedNames(): void {
  resolved.clear();
}

/** A record's prices (USD per million tokens), or null when it has none. */
function pricingOf(record: ModelRecord): ModelPricing | null {
  if (record.price === null) return null;
  const [input, output, cachedInput, cacheWrite] = record.price;
  const asOf =
    (record as { asOf?: string | undefined }).asOf ??
    (record.source ? DATA_SOURCES[record.source].date : PRICES_AS_OF);
  const pricing: ModelPricing = { input, output, asOf };
  if (cachedInput !== undefined) pricing.cachedInput = cachedInput;
  if (cacheWrite !== undefined) pricing.cacheWrite = cacheWrite;
  if (record.priority !== undefined) pricing.priority = tierPricingOf(record.priority);
  return pricing;
}

function tierPricingOf([input, output, cachedInput, cacheWrite]: Price): TierPricing {
  const pricing: TierPricing = { input, output };
  if (cachedInput !== undefined) pricing.cachedInput = cachedInput;
  if (cacheWrite !== undefined) pricing.cacheWrite = cacheWrite;
  return pricing;
}

/** A price without trailing `undefined`s: one without a cached or write price has two elements. */
function priceOf(pricing: TierPricing): Price {
  return pricing.cacheWrite !== undefined
    ? [pricing.input, pricing.output, pricing.cachedInput, pricing.cacheWrite]
    : pricing.cachedInput !== undefined
      ? [pricing.input, pricing.output, pricing.cachedInput]
      : [pricing.input, pricing.output];
}

/** Checks the four prices of `pricing` or `pricing.priority`, named from `path`. */
function expectPrices(path: string, pricing: TierPricing): void {
  expectNumber(`${path}.input`, pricing.input, { min: 0 });
  expectNumber(`${path}.output`, pricing.output, { min: 0 });
  if (pricing.cachedInput !== undefined) {
    expectNumber(`${path}.cachedInput`, pricing.cachedInput, { min: 0 });
  }
  if (pricing.cacheWrite !== undefined) {
    expectNumber(`${path}.cacheWrite`, pricing.cacheWrite, { min: 0 });
  }
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
  let priority: Price | undefined;
  if (input.pricing !== undefined && input.pricing !== null) {
    const { pricing } = input;
    expectOptions('pricing', 'pricing', pricing, KEYS.pricing);
    expectPrices('pricing', pricing);
    if (pricing.priority !== undefined) {
      expectOptions('pricing.priority', 'pricing.priority', pricing.priority, KEYS.tierPricing);
      expectPrices('pricing.priority', pricing.priority);
      priority = priceOf(pricing.priority);
    }
    optionalString('pricing.asOf', pricing.asOf);
    price = priceOf(pricing);
    asOf = pricing.asOf ?? new Date().toISOString().slice(0, 10);
  }
  // Keyed as lookups normalise names: `azure/my-deployment` is found as itself, as
  // `my-deployment` and under any other provider prefix (kept under the prefix, nothing would
  // ever find it).
  const key = normalizeName(input.id).name;
  if (key === '') fail('id', 'a model name after its provider prefix', input.id, true);
  const local = input.provider === 'ollama';
  // Without `encoding`, an override keeps what counted the name before: the built-in model's
  // encoding or OpenAI's naming (re-registering gpt-4o for its window must not stop exact
  // counts). An explicit `null` still means "no exact tokenizer".
  const encoding =
    input.encoding !== undefined
      ? input.encoding
      : (find(key, local)?.encoding ?? namedEncoding(key) ?? null);
  const record: ModelRecord & { asOf?: string | undefined } = {
    id: input.id.trim(),
    provider: input.provider,
    contextWindow: input.contextWindow,
    maxOutputTokens,
    encoding,
    price,
    ...(priority ? { priority } : {}),
    ...(asOf ? { asOf } : {}),
  };
  const target = local ? customLocal : customHosted;
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

/** @internal Names whose resolution is memoised (tests check the bound and the clearing). */
export function memoizedModelNames(): number {
  return resolved.size;
}
