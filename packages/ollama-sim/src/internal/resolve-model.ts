import { expectKnownKeys, expectOneOf, fail, isPlainObject } from '@x/internal';
import type { ModelCapability, SimModel } from '../models';
import { duration, intInRange, rate } from './checks';
import type { Layer } from './layers';

/** A served model with every default filled in. */
export interface ResolvedModel {
  readonly spec: SimModel;
  /** Full name with tag, e.g. `llama3.2:latest`. */
  readonly name: string;
  /** Lower-case lookup key. */
  readonly key: string;
  readonly family: string;
  readonly architecture: string;
  readonly contextLength: number;
  readonly numCtx: number | undefined;
  readonly parameterSize: string;
  readonly quantizationLevel: string;
  readonly capabilities: readonly ModelCapability[];
  readonly embeddingLength: number;
  readonly size: number;
  readonly digest: string;
  readonly modifiedAtMs: number;
  readonly loadTimeMs: number;
  readonly tokensPerSecond: number;
  readonly numParallel: number;
  readonly contextOverflow: 'truncate' | 'error';
  /** Where streamed tool calls go: a line of their own (`'ollama'`) or the final line (`'gguf'`). */
  readonly chatTemplate: 'ollama' | 'gguf';
  readonly stop: readonly string[];
  readonly template: string | undefined;
  readonly license: string | undefined;
  /** Modelfile `SYSTEM`: counted in every chat whose first message is not a system message. */
  readonly system: string | undefined;
  /** Modelfile parameters other than `num_ctx` and `stop` (a created model's `temperature`...). */
  readonly parameters: Readonly<Record<string, unknown>>;
  /** The weights blob. */
  readonly weights: { readonly digest: string; readonly size: number };
  /** LoRA adapters (created models). */
  readonly adapters: readonly Layer[];
  /** Messages a created model starts every conversation with. */
  readonly messages: readonly unknown[] | undefined;
  /** `details.parent_model` in `/api/show` and `/api/tags`: the model a created one was made `from`. */
  readonly parentModel: string;
  /** A created model's draft model (`draft_files`), a layer of its own. */
  readonly draft?: Layer | undefined;
  /** The config's `renderer`, `parser` and `requires` (create's fields, inherited from `from`). */
  readonly renderer?: string | undefined;
  readonly parser?: string | undefined;
  readonly requires?: string | undefined;
}

/** The server-wide values a model inherits when its own are not set. */
export interface ModelDefaults {
  readonly loadTimeMs: number;
  readonly tokensPerSecond: number;
  readonly numParallel: number;
}

const CAPABILITIES: readonly ModelCapability[] = [
  'completion',
  'tools',
  'insert',
  'vision',
  'embedding',
  'thinking',
  'audio',
  'image',
];

const MODEL_KEYS: readonly (keyof SimModel)[] = [
  'name',
  'family',
  'architecture',
  'contextLength',
  'numCtx',
  'parameterSize',
  'quantizationLevel',
  'capabilities',
  'embeddingLength',
  'size',
  'digest',
  'modifiedAt',
  'loadTimeMs',
  'tokensPerSecond',
  'numParallel',
  'contextOverflow',
  'chatTemplate',
  'stop',
  'template',
  'license',
  'system',
];

/** Splits `ns/model:tag` into the full name with the tag defaulting to `latest`. */
export function fullModelName(name: string): string {
  let n = name.trim();
  for (const prefix of ['registry.ollama.ai/library/', 'registry.ollama.ai/']) {
    if (n.toLowerCase().startsWith(prefix)) n = n.slice(prefix.length);
  }
  const slash = n.lastIndexOf('/');
  return n.slice(slash + 1).includes(':') ? n : `${n}:latest`;
}

function parameterCount(size: string): number {
  const m = /^([\d.]+)\s*([KMBT]?)/i.exec(size);
  if (!m) return 3e9;
  const scale: Record<string, number> = { '': 1, K: 1e3, M: 1e6, B: 1e9, T: 1e12 };
  return Number(m[1]) * (scale[m[2]!.toUpperCase()] ?? 1);
}

/** Not a real sha256 of anything: a stable 64-hex-digit string derived from `text`. */
export function hexDigest(text: string): string {
  let out = '';
  let h = 0x811c9dc5;
  for (let round = 0; out.length < 64; round++) {
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
    h = Math.imul(h ^ round, 0x01000193) >>> 0;
    out += h.toString(16).padStart(8, '0');
  }
  return out.slice(0, 64);
}

function timeMs(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  const ms =
    value instanceof Date
      ? value.getTime()
      : typeof value === 'string'
        ? Date.parse(value)
        : typeof value === 'number'
          ? value
          : Number.NaN;
  if (!Number.isFinite(ms)) fail(name, 'a Date, an ISO date string or ms since epoch', value);
  return ms;
}

/**
 * Validates one {@link SimModel} (named `models[index]` in errors) and fills in its defaults.
 *
 * @throws {TypeError | RangeError} naming the first bad field, or an unknown key.
 */
export function resolveModel(spec: SimModel, at: string, server: ModelDefaults): ResolvedModel {
  if (!isPlainObject(spec as unknown)) fail(at, 'an object', spec);
  expectKnownKeys(at, spec, MODEL_KEYS);
  if (typeof spec.name !== 'string' || spec.name.trim() === '')
    fail(`${at}.name`, 'a non-empty string', spec.name);
  const str = (key: keyof SimModel, fallback: string): string => {
    const v = spec[key];
    if (v === undefined) return fallback;
    if (typeof v !== 'string' || v === '') fail(`${at}.${key}`, 'a non-empty string', v);
    return v;
  };
  const capabilities = spec.capabilities ?? ['completion'];
  if (!Array.isArray(capabilities) || capabilities.some((c) => !CAPABILITIES.includes(c)))
    fail(`${at}.capabilities`, `an array of ${CAPABILITIES.join(', ')}`, capabilities);
  const isEmbedding = capabilities.includes('embedding');
  const family = str('family', 'llama');
  const parameterSize = str('parameterSize', '3.2B');
  const contextLength = intInRange(`${at}.contextLength`, spec.contextLength, 1, 2 ** 31, 131072);
  const numCtx =
    spec.numCtx === undefined ? undefined : intInRange(`${at}.numCtx`, spec.numCtx, 1, 2 ** 31, 0);
  if (
    spec.stop !== undefined &&
    !(Array.isArray(spec.stop) && spec.stop.every((s) => typeof s === 'string'))
  )
    fail(`${at}.stop`, 'an array of strings', spec.stop);
  if (spec.license !== undefined && typeof spec.license !== 'string')
    fail(`${at}.license`, 'a string', spec.license);
  if (spec.template !== undefined && typeof spec.template !== 'string')
    fail(`${at}.template`, 'a string', spec.template);
  if (spec.system !== undefined && typeof spec.system !== 'string')
    fail(`${at}.system`, 'a string', spec.system);
  const overflow = spec.contextOverflow ?? 'truncate';
  if (overflow !== 'truncate' && overflow !== 'error')
    fail(`${at}.contextOverflow`, "'truncate' or 'error'", overflow);
  const chatTemplate = expectOneOf(`${at}.chatTemplate`, spec.chatTemplate ?? 'ollama', [
    'ollama',
    'gguf',
  ]);
  const name = fullModelName(spec.name);
  const digest = str('digest', hexDigest(name));
  const size = intInRange(
    `${at}.size`,
    spec.size,
    0,
    Number.MAX_SAFE_INTEGER,
    Math.round(parameterCount(parameterSize) * 0.6),
  );
  if (!/^[0-9a-f]{64}$/.test(digest))
    fail(`${at}.digest`, 'a 64-digit lower-case hex string', digest);
  return {
    spec,
    name,
    key: name.toLowerCase(),
    family,
    architecture: str('architecture', family),
    contextLength,
    numCtx,
    parameterSize,
    quantizationLevel: str('quantizationLevel', 'Q4_K_M'),
    capabilities,
    embeddingLength: intInRange(
      `${at}.embeddingLength`,
      spec.embeddingLength,
      1,
      65536,
      isEmbedding ? 768 : 3072,
    ),
    size,
    digest,
    modifiedAtMs: timeMs(`${at}.modifiedAt`, spec.modifiedAt, Date.UTC(2026, 7, 1)),
    loadTimeMs: duration(`${at}.loadTimeMs`, spec.loadTimeMs, server.loadTimeMs),
    tokensPerSecond: rate(`${at}.tokensPerSecond`, spec.tokensPerSecond, server.tokensPerSecond),
    numParallel: isEmbedding
      ? 1
      : intInRange(`${at}.numParallel`, spec.numParallel, 1, 1024, server.numParallel),
    contextOverflow: overflow,
    chatTemplate,
    stop: spec.stop ?? [],
    template: spec.template,
    license: spec.license,
    system: spec.system,
    parameters: {},
    weights: { digest: `sha256:${hexDigest(`${digest}\u0000weights`)}`, size },
    adapters: [],
    messages: undefined,
    parentModel: '',
  };
}
