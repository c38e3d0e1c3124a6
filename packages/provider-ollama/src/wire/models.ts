import { EMPTY_PARTIAL, type ProviderCore } from '@x/provider-core';
import { OllamaStreamError } from '../errors';
import type { LoadedModel, ModelInfo, ModelSummary } from '../types';

type Json = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : undefined;
/**
 * The longest window a model can plausibly have. The longest trained today is about ten million
 * tokens (Llama 4 Scout's 10,485,760); 1e300 from a broken or hostile server would otherwise be
 * the window, and no prompt would ever be raised for, refused or flagged as cut.
 */
const MAX_PLAUSIBLE_WINDOW = 100_000_000;
/** A window or length: a positive whole number, else unknown (a server's 0 or -5 is not a window). */
const length = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isInteger(v) && v > 0 && v <= MAX_PLAUSIBLE_WINDOW
    ? v
    : undefined;
/** Keys that would reach an object's prototype instead of the object. */
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const strings = (v: unknown): string[] | undefined =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined;
const obj = (v: unknown): Json => (typeof v === 'object' && v !== null ? (v as Json) : {});

/**
 * The provider's redactor, for the texts a server words in its model lists and details: a hostile
 * one (or a proxy echoing headers) may put the key there, which `listModels()`, `ps()`,
 * `modelInfo()` and `health()` would otherwise hand on as they came. `redact` remembers a clean
 * text (names, families, capabilities: the same on many models and on every list), `redactOnce`
 * does not (a digest, a time: new on each model), so a long list does not push the names out of
 * the scrub's bounded memo. Each text is scrubbed once.
 */
type Scrub = Pick<ProviderCore, 'redact' | 'redactOnce'>;

/** `v` scrubbed with `redact` when it is a string; `undefined` otherwise. */
function scrubbed(v: unknown, redact: (text: string) => string): string | undefined {
  return typeof v === 'string' ? redact(v) : undefined;
}

/** The strings of `v`, each scrubbed (remembered: a list's values recur), when it is an array. */
function scrubbedStrings(v: unknown, scrub: Scrub): string[] | undefined {
  const list = strings(v);
  if (list === undefined) return undefined;
  for (let i = 0; i < list.length; i++) list[i] = scrub.redact(list[i]!);
  return list;
}

/**
 * One key per model however its name is spelled, as Ollama's `model.ParseName` completes it and
 * `EqualFold` compares it: `mine`, `Mine:latest` and `registry.ollama.ai/library/mine:latest` are
 * one model. A `:local` source suffix (`llama3.2:local`, `llama3.2:1b:local`) names the local model
 * and Ollama 0.17.6+ strips it before resolving the name (internal/modelref), so `/api/ps` lists
 * `llama3.2:latest`; it goes too. Not `:cloud` nor a `-cloud` tag: that is a remote model, another
 * one than the local model of the same name, and keeps a key of its own.
 */
export function modelKey(name: string): string {
  let rest = name.trim();
  let colon = rest.lastIndexOf(':');
  if (
    colon !== -1 &&
    rest
      .slice(colon + 1)
      .trim()
      .toLowerCase() === 'local'
  ) {
    rest = rest.slice(0, colon).trim();
    colon = rest.lastIndexOf(':');
  }
  let tag = 'latest';
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const parts = rest.split('/');
  const model = parts.pop() ?? '';
  const namespace = parts.length > 0 ? parts.pop()! : 'library';
  let host = parts.length > 0 ? parts.join('/') : 'registry.ollama.ai';
  const scheme = host.indexOf('://');
  if (scheme !== -1) host = host.slice(scheme + 3);
  return `${host}/${namespace}/${model}:${tag}`.toLowerCase();
}

/**
 * A name Ollama sends to ollama.com whatever it holds locally, as its `parseSourceSuffix` reads it:
 * a `:cloud` suffix (`gpt-oss:120b:cloud`) or a tag ending in `-cloud` (`gpt-oss:120b-cloud`).
 */
export function isCloudName(name: string): boolean {
  const colon = name.lastIndexOf(':');
  if (colon === -1) return false;
  const suffix = name
    .slice(colon + 1)
    .trim()
    .toLowerCase();
  return suffix === 'cloud' || (!suffix.includes('/') && suffix.endsWith('-cloud'));
}

/**
 * The model entries of a `/api/tags` or `/api/ps` answer. Ollama always sends `{"models":[...]}`
 * (`[]` for none; `null` from servers that marshalled an empty Go slice), each entry an object
 * naming its model. Anything else (`{"error":"unauthorized"}` with a 200 from a proxy, `[]`, an
 * entry that is not an object or names no model) is the typed `invalid-json` stream error, as an
 * `/api/embed` answer of the wrong shape is: returned, it would read as a server without models,
 * or hold models named `''`. An entry's other fields may be missing (older servers send fewer).
 */
function modelEntries(body: unknown, endpoint: string): Json[] {
  const models = isObject(body) ? body.models : undefined;
  if (models === null && isObject(body)) return [];
  if (!Array.isArray(models)) {
    throw notModelList(endpoint, `no \`models\` array (${shapeOf(body)})`);
  }
  for (let i = 0; i < models.length; i++) {
    const m: unknown = models[i];
    if (!isObject(m)) throw notModelList(endpoint, `models[${i}] is ${shapeOf(m)}`);
    if (!named(m.name) && !named(m.model)) {
      throw notModelList(endpoint, `models[${i}] has no \`name\` or \`model\``);
    }
  }
  return models as Json[];
}

const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const named = (v: unknown): boolean => typeof v === 'string' && v !== '';

/** What a value is, for a message (never the value: a body may echo a secret). */
function shapeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

function notModelList(endpoint: string, what: string): OllamaStreamError {
  return new OllamaStreamError({
    reason: 'invalid-json',
    message: `Ollama's ${endpoint} answer is not a model list: ${what}`,
    partial: EMPTY_PARTIAL,
  });
}

/**
 * The names of an entry of `/api/tags` or `/api/ps`, scrubbed: each stands in for the other when
 * missing, and the same text (the usual case) is scrubbed once.
 */
function namesOf(model: Json, scrub: Scrub): { name: string; model: string } {
  const name = str(model.name) ?? str(model.model) ?? '';
  const tag = str(model.model) ?? str(model.name) ?? '';
  const scrubbedName = scrub.redact(name);
  return { name: scrubbedName, model: tag === name ? scrubbedName : scrub.redact(tag) };
}

/** The `details` both `/api/tags` and `/api/ps` give a model, scrubbed. */
function detailsOf(details: Json, scrub: Scrub) {
  const redact = (text: string) => scrub.redact(text);
  return {
    family: scrubbed(details.family, redact),
    families: scrubbedStrings(details.families, scrub),
    parameterSize: scrubbed(details.parameter_size, redact),
    quantizationLevel: scrubbed(details.quantization_level, redact),
  };
}

export function parseModelList(body: unknown, scrub: Scrub): ModelSummary[] {
  const redact = (text: string) => scrub.redact(text);
  const once = (text: string) => scrub.redactOnce(text);
  return modelEntries(body, '/api/tags').map((model) => {
    const details = obj(model.details);
    return {
      ...namesOf(model, scrub),
      modifiedAt: scrubbed(model.modified_at, once),
      size: num(model.size),
      digest: scrubbed(model.digest, once),
      ...detailsOf(details, scrub),
      contextLength: length(details.context_length),
      embeddingLength: num(details.embedding_length),
      capabilities: scrubbedStrings(model.capabilities, scrub),
      remoteModel: scrubbed(model.remote_model, redact),
      remoteHost: scrubbed(model.remote_host, redact),
    };
  });
}

export function parseLoadedModels(body: unknown, scrub: Scrub): LoadedModel[] {
  const once = (text: string) => scrub.redactOnce(text);
  return modelEntries(body, '/api/ps').map((model) => ({
    ...namesOf(model, scrub),
    digest: scrubbed(model.digest, once),
    ...detailsOf(obj(model.details), scrub),
    size: num(model.size),
    sizeVram: num(model.size_vram),
    contextLength: length(model.context_length),
    expiresAt: scrubbed(model.expires_at, once),
  }));
}

/** Parses a `%#v`-formatted value of the `parameters` text. */
function parameterValue(raw: string): string | number | boolean {
  const text = raw.trim();
  if (text.startsWith('"') && text.endsWith('"') && text.length >= 2) {
    try {
      return JSON.parse(text) as string;
    } catch {
      return text.slice(1, -1);
    }
  }
  if (text === 'true') return true;
  if (text === 'false') return false;
  const n = Number(text);
  return text.length > 0 && Number.isFinite(n) ? n : text;
}

/** Parses `/api/show`'s `parameters`: one `key value` per line, list options repeat the key. */
export function parseParameters(text: unknown): ModelInfo['parameters'] {
  const out: ModelInfo['parameters'] = {};
  if (typeof text !== 'string') return out;
  for (const line of text.split('\n')) {
    const match = /^(\S+)\s+(.*)$/.exec(line.trim());
    if (match === null) continue;
    const key = match[1]!;
    if (UNSAFE_KEYS.has(key)) continue;
    const value = parameterValue(match[2]!);
    const existing = out[key];
    if (existing === undefined) out[key] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else out[key] = [existing, value];
  }
  return out;
}

/**
 * Reads the trained context length at `model_info["<general.architecture>.context_length"]`,
 * falling back to any `*.context_length` key that is not a vision projector's.
 */
export function trainedContextLength(modelInfo: Json): number | undefined {
  const arch = str(modelInfo['general.architecture']);
  if (arch !== undefined) {
    const direct = length(modelInfo[`${arch}.context_length`]);
    if (direct !== undefined) return direct;
  }
  for (const [key, value] of Object.entries(modelInfo)) {
    if (!key.endsWith('.context_length') || key.startsWith('clip.') || key.includes('projector')) {
      continue;
    }
    const n = length(value);
    if (n !== undefined) return n;
  }
  return undefined;
}

/**
 * The models Ollama serves through its harmony parser (OpenAI's gpt-oss), as `shouldUseHarmony`
 * in server/routes.go decides it: the family `gptoss` (or `gpt-oss`) and a template with harmony's
 * `<|start|>` and `<|end|>` tags. Such a model takes `think` levels, and ignores `think: false`.
 */
const HARMONY_FAMILIES = new Set(['gptoss', 'gpt-oss']);

/** The infos parsed of harmony models (kept beside them: `ModelInfo` has no field for it). */
const HARMONY = new WeakSet<ModelInfo>();

/** True when the model of `info` is served through Ollama's harmony parser (gpt-oss). */
export function usesHarmony(info: ModelInfo): boolean {
  return HARMONY.has(info);
}

function harmonyTemplate(family: string | undefined, template: unknown): boolean {
  return (
    family !== undefined &&
    HARMONY_FAMILIES.has(family) &&
    typeof template === 'string' &&
    template.includes('<|start|>') &&
    template.includes('<|end|>')
  );
}

/**
 * `/api/show` mapped, its server-worded texts scrubbed ({@link Scrub}): the `parameters` text
 * whole, once, before it is read (its keys and values alike).
 */
export function parseModelInfo(model: string, body: unknown, scrub: Scrub): ModelInfo {
  const redact = (text: string) => scrub.redact(text);
  const once = (text: string) => scrub.redactOnce(text);
  const show = obj(body);
  const details = obj(show.details);
  const info = obj(show.model_info);
  const parameters = parseParameters(scrubbed(show.parameters, once));
  const numCtx = parameters.num_ctx;
  const parsed: ModelInfo = {
    model,
    architecture: scrubbed(info['general.architecture'], redact),
    ...detailsOf(details, scrub),
    contextLength: trainedContextLength(info),
    defaultNumCtx: length(numCtx),
    remoteModel: scrubbed(show.remote_model, redact),
    remoteHost: scrubbed(show.remote_host, redact),
    capabilities: scrubbedStrings(show.capabilities, scrub) ?? [],
    parameters,
    modifiedAt: scrubbed(show.modified_at, once),
    requires: scrubbed(show.requires, redact),
  };
  if (harmonyTemplate(parsed.family, show.template)) HARMONY.add(parsed);
  return parsed;
}
