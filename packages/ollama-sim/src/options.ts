import {
  expectKnownKeys,
  expectLogger,
  expectOneOf,
  fail,
  isPlainObject,
  optionalBoolean,
  optionalSignal,
} from '@x/internal';
import type { FaultPlan, FaultRule } from './faults';
import { type Fixture, parseFixture } from './fixtures';
import { duration, intInRange, positiveFinite, rate } from './internal/checks';
import { normalizeFaultPlan } from './internal/fault-plan';
import { expectListenHost } from './internal/listen-host';
import type { QuotaSpec } from './internal/quota';
import { resolveModel } from './internal/resolve-model';
import type { OllamaSimLogger } from './log';
import { defaultModels, type SimModel } from './models';

/**
 * What a {@link ReplyHook} sees about a chat or generate request. A `/v1` request arrives as the
 * native request Ollama's OpenAI layer rewrites it into (`/v1/chat/completions` as `/api/chat`,
 * `/v1/completions` as `/api/generate`).
 */
export interface ReplyContext {
  /** `'/api/chat'` or `'/api/generate'`. */
  readonly route: '/api/chat' | '/api/generate';
  /** The model name as the request sent it. */
  readonly model: string;
  /** The parsed request body. */
  readonly body: Readonly<Record<string, unknown>>;
  /** The last user message (chat) or the prompt (generate). */
  readonly prompt: string;
  /** The per-request seed the simulator derived (stable for identical requests). */
  readonly seed: number;
}

/** Returns the reply text for a request, or `undefined` for the generated default. */
export type ReplyHook = (context: ReplyContext) => string | undefined;

/**
 * A per-API-key quota on the `/v1/*` routes, as a hosted OpenAI-compatible service enforces it:
 * at most `requests` requests and `tokens` tokens per key per window. Answers carry the
 * `x-ratelimit-*` headers; a request over the quota gets a 429 with them, `retry-after` and
 * `retry-after-ms`. At least one of `requests` and `tokens` is required.
 *
 * @example
 * ```ts
 * const sim = await startOllamaSim({ quota: { requests: 60, tokens: 40_000, windowMs: 60_000 } });
 * ```
 */
export interface QuotaOptions {
  /** Requests per window per key (1 to 2^31). */
  readonly requests?: number | undefined;
  /** Tokens per window per key: each answer's `usage.total_tokens` (embeddings: `prompt_tokens`). */
  readonly tokens?: number | undefined;
  /** Window length in ms; a key's window starts with its first request. @default 60000 */
  readonly windowMs?: number | undefined;
}

/**
 * The shape of the tool calls the simulated model makes (the `toolCalls` option).
 *
 * @example
 * ```ts
 * const sim = await startOllamaSim({ toolCalls: { parallel: 2, ids: false } });
 * ```
 */
export interface ToolCallOptions {
  /** Calls made at once, indexed 0 to n-1 (1 to 64). @default 1 */
  readonly parallel?: number | undefined;
  /** Whether native answers give each call an `id` (servers before 0.12.10 do not). @default true */
  readonly ids?: boolean | undefined;
}

/**
 * Options of {@link startOllamaSim}. Every field is optional.
 *
 * @example
 * ```ts
 * const sim = await startOllamaSim({ tokensPerSecond: 50, loadTimeMs: 200, numParallel: 2 });
 * ```
 */
export interface OllamaSimOptions {
  /**
   * Interface to listen on: a host name or an IP address (`'::1'`, not `'[::1]'`), without a
   * scheme, userinfo, port or path. @default '127.0.0.1'
   */
  readonly host?: string | undefined;
  /** Port; `0` picks a free one. @default 0 */
  readonly port?: number | undefined;
  /** Models served. @default defaultModels */
  readonly models?: readonly SimModel[] | undefined;
  /** Version reported by `/api/version`. @default '0.32.15' */
  readonly version?: string | undefined;
  /** Generation speed in tokens per second; `0` or `Infinity` means no delay at all (load tests). @default Infinity */
  readonly tokensPerSecond?: number | undefined;
  /** Prompt evaluation speed in tokens per second; `0` or `Infinity` means no delay. @default Infinity */
  readonly promptTokensPerSecond?: number | undefined;
  /** Load time of a model not yet loaded (or reloaded for another `num_ctx`, context shift or runner option), in ms. @default 0 */
  readonly loadTimeMs?: number | undefined;
  /** Parallel slots per model (`OLLAMA_NUM_PARALLEL`). @default 1 */
  readonly numParallel?: number | undefined;
  /**
   * Requests that may wait in the scheduler's queue across all models (`OLLAMA_MAX_QUEUE`): those
   * whose model is not loaded, or loaded with another `num_ctx`, context shift or runner option;
   * beyond it, 503. A request for a model loaded as it needs waits for a slot without limit, as in
   * Ollama. @default 512
   */
  readonly maxQueue?: number | undefined;
  /** Server default window when neither the request nor the model sets `num_ctx` (`OLLAMA_CONTEXT_LENGTH`). @default 4096 */
  readonly defaultNumCtx?: number | undefined;
  /** Default `keep_alive` (`OLLAMA_KEEP_ALIVE`) in ms; negative means forever. @default 300000 */
  readonly keepAliveMs?: number | undefined;
  /** Tokens per character of the prompt token estimate. @default 0.27 */
  readonly tokensPerChar?: number | undefined;
  /** Length of generated answers in tokens, drawn per request from this range (capped by `num_predict`). @default { min: 8, max: 32 } */
  readonly responseTokens?: { readonly min: number; readonly max: number } | undefined;
  /** Seed of generated text, tool-call ids and fault draws. @default 0 */
  readonly seed?: number | undefined;
  /** Custom reply text; return `undefined` to fall back to generated text. */
  readonly reply?: ReplyHook | undefined;
  /** Initial fault plan (see `setFaults`). @default [] */
  readonly faults?: FaultPlan | readonly FaultRule[] | undefined;
  /** Fixtures answered byte for byte when a request matches their method, path and body. @default [] */
  readonly fixtures?: readonly Fixture[] | undefined;
  /**
   * Largest accepted request body in bytes; larger gets 413. The simulator's own bound: Ollama
   * caps no body on these routes, so a client should not rely on this 413. @default 33554432 (32 MiB)
   */
  readonly maxBodyBytes?: number | undefined;
  /** Entries kept in `requests` (oldest dropped first). @default 1000 */
  readonly maxLogEntries?: number | undefined;
  /**
   * pino, `console` or any {@link OllamaSimLogger}: one `debug` entry per request (credential
   * headers redacted, never the body), one `info` entry per injected fault. See the README.
   * @default undefined (silent)
   */
  readonly logger?: OllamaSimLogger | undefined;
  /**
   * The models `/api/pull` can fetch, as if from registry.ollama.ai (a push adds to them).
   * @default `defaultModels` and `models`
   */
  readonly registry?: readonly SimModel[] | undefined;
  /** Speed of pulls, pushes and quantizing, paced in 60 ms steps as Ollama reports progress; `0` or `Infinity`: no delay. @default Infinity */
  readonly transferBytesPerSecond?: number | undefined;
  /** Inputs one `/api/embed` request may carry; more is a 400 (a simulator bound, not Ollama's). @default 2048 */
  readonly maxEmbedInputs?: number | undefined;
  /** Values (inputs × dimensions) one embed answer may hold; more is a 400. @default 16777216 */
  readonly maxEmbedValues?: number | undefined;
  /** Answer 403 to a `Host` header that is not local, as Ollama does when bound to loopback. @default true */
  readonly hostCheck?: boolean | undefined;
  /**
   * Ollama with cloud turned off (`OLLAMA_NO_CLOUD=1`): a model named with the `:cloud` source or
   * a `-cloud` tag gets 403 `ollama cloud is disabled: remote model is unavailable` on chat,
   * generate and the embed routes (`/v1` too), `… remote model details are unavailable` on
   * `/api/show` and `/v1/models/:model`, and `/api/status` reports `disabled: true`, source `env`.
   * Off, such a name is looked up as a local model of that name. @default false
   */
  readonly cloudDisabled?: boolean | undefined;
  /**
   * How a `/v1/chat/completions` stream carries tool calls: `'whole'`, as Ollama's OpenAI layer
   * writes them (each call complete, its `arguments` one JSON string, every call of a native line
   * in one delta), or `'split'`, as OpenAI streams them (a delta with the call's `id` and name and
   * empty `arguments`, then the arguments in pieces keyed by `index`), to test a client's
   * assembly against the shape other servers send. @default 'whole'
   */
  readonly v1ToolCalls?: 'whole' | 'split' | undefined;
  /**
   * How the model calls tools when a user message names one of the request's `tools`.
   * `parallel`: how many calls it makes at once (1 to 64), indexed 0 to n-1 as Ollama's parsers
   * number them (they go to the tools the message names, in the order of `tools`, the first again
   * when fewer match). `ids: false`: native answers carry no call `id`, as servers before 0.12.10
   * send them (`/v1` still has one, as their OpenAI layer made one up). @default { parallel: 1, ids: true }
   */
  readonly toolCalls?: ToolCallOptions | undefined;
  /** A per-API-key quota on `/v1/*` (off by default: Ollama has none). @default undefined */
  readonly quota?: QuotaOptions | undefined;
  /** Aborts the start: `startOllamaSim` rejects with `signal.reason` and leaves nothing listening. */
  readonly signal?: AbortSignal | undefined;
}

export interface ResolvedOptions {
  readonly host: string;
  readonly port: number;
  readonly models: readonly SimModel[];
  readonly version: string;
  readonly tokensPerSecond: number;
  readonly promptTokensPerSecond: number;
  readonly loadTimeMs: number;
  readonly numParallel: number;
  readonly maxQueue: number;
  readonly defaultNumCtx: number;
  readonly keepAliveMs: number;
  readonly tokensPerChar: number;
  readonly responseTokens: { readonly min: number; readonly max: number };
  readonly seed: number;
  readonly reply: ReplyHook | undefined;
  readonly faults: FaultPlan;
  readonly fixtures: readonly Fixture[];
  readonly maxBodyBytes: number;
  readonly maxLogEntries: number;
  readonly logger: OllamaSimLogger | undefined;
  readonly maxEmbedInputs: number;
  readonly registry: readonly SimModel[];
  readonly transferBytesPerSecond: number;
  readonly maxEmbedValues: number;
  readonly hostCheck: boolean;
  readonly cloudDisabled: boolean;
  readonly v1ToolCalls: 'whole' | 'split';
  readonly toolCalls: { readonly parallel: number; readonly ids: boolean };
  readonly quota: QuotaSpec | undefined;
}

/** Every key of {@link OllamaSimOptions}: any other is a misspelling. */
const OPTION_KEYS: readonly (keyof OllamaSimOptions)[] = [
  'host',
  'port',
  'models',
  'version',
  'tokensPerSecond',
  'promptTokensPerSecond',
  'loadTimeMs',
  'numParallel',
  'maxQueue',
  'defaultNumCtx',
  'keepAliveMs',
  'tokensPerChar',
  'responseTokens',
  'seed',
  'reply',
  'faults',
  'fixtures',
  'maxBodyBytes',
  'maxLogEntries',
  'logger',
  'maxEmbedInputs',
  'registry',
  'transferBytesPerSecond',
  'maxEmbedValues',
  'hostCheck',
  'cloudDisabled',
  'v1ToolCalls',
  'toolCalls',
  'quota',
  'signal',
];

/** Validates the `toolCalls` option. */
function resolveToolCalls(value: ToolCallOptions | undefined): ResolvedOptions['toolCalls'] {
  if (value === undefined) return { parallel: 1, ids: true };
  if (!isPlainObject(value as unknown)) fail('toolCalls', 'an object { parallel, ids }', value);
  expectKnownKeys('toolCalls', value, ['parallel', 'ids']);
  optionalBoolean('toolCalls.ids', value.ids);
  return {
    parallel: intInRange('toolCalls.parallel', value.parallel, 1, 64, 1),
    ids: value.ids ?? true,
  };
}

/** Validates the `quota` option. */
function resolveQuota(quota: QuotaOptions | undefined): QuotaSpec | undefined {
  if (quota === undefined) return undefined;
  if (!isPlainObject(quota as unknown))
    fail('quota', 'an object { requests, tokens, windowMs }', quota);
  expectKnownKeys('quota', quota, ['requests', 'tokens', 'windowMs']);
  const requests =
    quota.requests === undefined
      ? undefined
      : intInRange('quota.requests', quota.requests, 1, 2 ** 31, 1);
  const tokens =
    quota.tokens === undefined
      ? undefined
      : intInRange('quota.tokens', quota.tokens, 1, 2 ** 53 - 1, 1);
  if (requests === undefined && tokens === undefined)
    fail('quota', 'an object with `requests` or `tokens`', quota);
  const windowMs = duration('quota.windowMs', quota.windowMs, 60_000);
  if (windowMs === 0) fail('quota.windowMs', 'a duration > 0 ms', windowMs, true);
  return { requests, tokens, windowMs };
}

/** `value`, or `fallback` when it is left out: only `undefined`, so that `null` reaches its check. */
function orDefault<T>(value: T | undefined, fallback: T): T {
  return value === undefined ? fallback : value;
}

// C0 controls and DEL (NUL, line breaks, tabs).
// biome-ignore lint/suspicious/noControlCharactersInRegex: the controls are what it refuses.
const CONTROL = /[\u0000-\u001f\u007f]/;

/** The Ollama version the simulator reports by default: that of the recorded fixtures. */
export const DEFAULT_OLLAMA_VERSION = '0.32.15';

/**
 * Validates {@link OllamaSimOptions} and fills in the defaults.
 *
 * @throws {TypeError} when an option has the wrong type.
 * @throws {RangeError} when a number is out of range.
 */
export function resolveOptions(options: OllamaSimOptions = {}): ResolvedOptions {
  if (!isPlainObject(options as unknown)) fail('options', 'an object', options);
  expectKnownKeys(undefined, options, OPTION_KEYS);
  // `undefined` is the default; `null` is refused as a value of the wrong type, as elsewhere.
  const host = expectListenHost(orDefault(options.host, '127.0.0.1'));
  const version = orDefault(options.version, DEFAULT_OLLAMA_VERSION);
  if (typeof version !== 'string' || version === '') fail('version', 'a non-empty string', version);
  // Sent in `/api/version`'s JSON and read by clients as text: a NUL or a line break is no version.
  if (CONTROL.test(version)) fail('version', 'a version without control characters', version, true);
  const models = orDefault(options.models, defaultModels);
  if (!Array.isArray(models)) fail('models', 'an array of models', models);
  if (options.reply !== undefined && typeof options.reply !== 'function')
    fail('reply', 'a function', options.reply);
  const responseTokens = orDefault(options.responseTokens, { min: 8, max: 32 });
  if (!isPlainObject(responseTokens as unknown))
    fail('responseTokens', 'an object { min, max }', responseTokens);
  expectKnownKeys('responseTokens', responseTokens, ['min', 'max']);
  const min = intInRange('responseTokens.min', responseTokens.min, 1, 1_000_000, 8);
  const max = intInRange('responseTokens.max', responseTokens.max, min, 1_000_000, 32);
  const fixtures = orDefault(options.fixtures, []);
  if (!Array.isArray(fixtures)) fail('fixtures', 'an array of fixtures', fixtures);
  const seed = intInRange('seed', options.seed, 0, 2 ** 32 - 1, 0);
  optionalSignal('signal', options.signal);
  optionalBoolean('hostCheck', options.hostCheck);
  optionalBoolean('cloudDisabled', options.cloudDisabled);
  const keepAliveMs = orDefault(options.keepAliveMs, 300_000);
  if (typeof keepAliveMs !== 'number' || Number.isNaN(keepAliveMs))
    fail('keepAliveMs', 'a number', keepAliveMs);
  const resolved: ResolvedOptions = {
    host,
    port: intInRange('port', options.port, 0, 65535, 0),
    models,
    version,
    tokensPerSecond: rate('tokensPerSecond', options.tokensPerSecond, Number.POSITIVE_INFINITY),
    promptTokensPerSecond: rate(
      'promptTokensPerSecond',
      options.promptTokensPerSecond,
      Number.POSITIVE_INFINITY,
    ),
    loadTimeMs: duration('loadTimeMs', options.loadTimeMs, 0),
    numParallel: intInRange('numParallel', options.numParallel, 1, 1024, 1),
    maxQueue: intInRange('maxQueue', options.maxQueue, 0, 1_000_000, 512),
    defaultNumCtx: intInRange('defaultNumCtx', options.defaultNumCtx, 1, 2 ** 31, 4096),
    keepAliveMs: keepAliveMs < 0 ? Number.POSITIVE_INFINITY : keepAliveMs,
    tokensPerChar: positiveFinite('tokensPerChar', options.tokensPerChar, 0.27),
    responseTokens: { min, max },
    seed,
    reply: options.reply,
    faults: normalizeFaultPlan(orDefault(options.faults, []), seed),
    fixtures: fixtures.map((f, i) => parseFixture(f, `fixtures[${i}]`)),
    maxBodyBytes: intInRange('maxBodyBytes', options.maxBodyBytes, 1, 2 ** 31, 32 * 1024 * 1024),
    maxLogEntries: intInRange('maxLogEntries', options.maxLogEntries, 0, 1_000_000, 1000),
    logger: expectLogger('logger', options.logger),
    registry: options.registry ?? [...defaultModels, ...models],
    transferBytesPerSecond: rate(
      'transferBytesPerSecond',
      options.transferBytesPerSecond,
      Number.POSITIVE_INFINITY,
    ),
    maxEmbedInputs: intInRange('maxEmbedInputs', options.maxEmbedInputs, 1, 1_000_000, 2048),
    maxEmbedValues: intInRange('maxEmbedValues', options.maxEmbedValues, 1, 2 ** 25, 2 ** 24),
    hostCheck: options.hostCheck ?? true,
    cloudDisabled: options.cloudDisabled ?? false,
    v1ToolCalls: expectOneOf('v1ToolCalls', orDefault(options.v1ToolCalls, 'whole'), [
      'whole',
      'split',
    ]),
    toolCalls: resolveToolCalls(options.toolCalls),
    quota: resolveQuota(options.quota),
  };
  const seen = new Set<string>();
  models.forEach((m, i) => {
    const r = resolveModel(m, `models[${i}]`, resolved);
    if (seen.has(r.key))
      fail(`models[${i}].name`, 'a name not used by another model', m.name, true);
    seen.add(r.key);
  });
  if (options.registry !== undefined) {
    if (!Array.isArray(options.registry)) fail('registry', 'an array of models', options.registry);
    options.registry.forEach((m, i) => {
      resolveModel(m, `registry[${i}]`, resolved);
    });
  }
  return resolved;
}
