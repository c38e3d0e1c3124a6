import { expectNumber, fail, optionalBoolean, optionalSignal } from '@x/internal';
import type { Fault, FaultPlan, FaultRule, LatencySpec } from './faults';
import { type Fixture, parseFixture } from './fixtures';
import { defaultModels, type ModelCapability, type SimModel } from './models';

/** What a {@link ReplyHook} sees about a chat or generate request. */
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
 * Options of {@link startOllamaSim}. Every field is optional.
 *
 * @example
 * ```ts
 * const sim = await startOllamaSim({ tokensPerSecond: 50, loadTimeMs: 200, numParallel: 2 });
 * ```
 */
export interface OllamaSimOptions {
  /** Interface to listen on. @default '127.0.0.1' */
  readonly host?: string;
  /** Port; `0` picks a free one. @default 0 */
  readonly port?: number;
  /** Models served. @default defaultModels */
  readonly models?: readonly SimModel[];
  /** Version reported by `/api/version`. @default '0.32.15' */
  readonly version?: string;
  /** Generation speed in tokens per second; `0` or `Infinity` means no delay at all (load tests). @default Infinity */
  readonly tokensPerSecond?: number;
  /** Prompt evaluation speed in tokens per second; `0` or `Infinity` means no delay. @default Infinity */
  readonly promptTokensPerSecond?: number;
  /** Load time of a model not yet loaded (or reloaded for another `num_ctx`), in ms. @default 0 */
  readonly loadTimeMs?: number;
  /** Parallel slots per model (`OLLAMA_NUM_PARALLEL`). @default 1 */
  readonly numParallel?: number;
  /** Requests that may wait for a slot across all models (`OLLAMA_MAX_QUEUE`); beyond it, 503. @default 512 */
  readonly maxQueue?: number;
  /** Server default window when neither the request nor the model sets `num_ctx` (`OLLAMA_CONTEXT_LENGTH`). @default 4096 */
  readonly defaultNumCtx?: number;
  /** Default `keep_alive` (`OLLAMA_KEEP_ALIVE`) in ms; negative means forever. @default 300000 */
  readonly keepAliveMs?: number;
  /** Tokens per character of the prompt token estimate. @default 0.27 */
  readonly tokensPerChar?: number;
  /** Length of generated answers in tokens, drawn per request from this range (capped by `num_predict`). @default { min: 8, max: 32 } */
  readonly responseTokens?: { readonly min: number; readonly max: number };
  /** Seed of generated text, tool-call ids and fault draws. @default 0 */
  readonly seed?: number;
  /** Custom reply text; return `undefined` to fall back to generated text. */
  readonly reply?: ReplyHook;
  /** Initial fault plan (see `setFaults`). @default [] */
  readonly faults?: FaultPlan | readonly FaultRule[];
  /** Fixtures answered byte for byte when a request matches their method, path and body. @default [] */
  readonly fixtures?: readonly Fixture[];
  /** Largest accepted request body in bytes; larger gets 413. @default 33554432 (32 MiB) */
  readonly maxBodyBytes?: number;
  /** Entries kept in `requests` (oldest dropped first). @default 1000 */
  readonly maxLogEntries?: number;
  /** Answer 403 to a `Host` header that is not local, as Ollama does when bound to loopback. @default true */
  readonly hostCheck?: boolean;
  /** Aborts the start: `startOllamaSim` rejects with `signal.reason` and leaves nothing listening. */
  readonly signal?: AbortSignal;
}

export interface ResolvedModel {
  readonly spec: SimModel;
  readonly name: string; // full name with tag, e.g. 'llama3.2:latest'
  readonly key: string; // lower-case lookup key
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
  readonly stop: readonly string[];
  readonly template: string | undefined;
  readonly license: string | undefined;
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
  readonly hostCheck: boolean;
}

function intInRange(
  name: string,
  value: unknown,
  min: number,
  max: number,
  fallback: number,
): number {
  return value === undefined ? fallback : expectNumber(name, value, { min, max, integer: true });
}

function nonNegative(name: string, value: unknown, fallback: number): number {
  return value === undefined ? fallback : expectNumber(name, value, { min: 0 });
}

/** A rate of `0` or `Infinity` means "no delay"; both normalise to Infinity. */
function rate(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  const n = expectNumber(name, value, { min: 0, allowInfinity: true });
  return n === 0 ? Number.POSITIVE_INFINITY : n;
}

function positiveFinite(name: string, value: unknown, fallback: number): number {
  return value === undefined ? fallback : expectNumber(name, value, { min: 0, exclusiveMin: true });
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

function hexDigest(name: string): string {
  // Not a real sha256 of anything; a stable 64-hex-digit string derived from the name.
  let out = '';
  let h = 0x811c9dc5;
  for (let round = 0; out.length < 64; round++) {
    for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
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

export function resolveModel(
  spec: SimModel,
  index: number,
  server: ResolvedOptions,
): ResolvedModel {
  const at = `models[${index}]`;
  if (typeof spec !== 'object' || spec === null) fail(at, 'an object', spec);
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
  const overflow = spec.contextOverflow ?? 'truncate';
  if (overflow !== 'truncate' && overflow !== 'error')
    fail(`${at}.contextOverflow`, "'truncate' or 'error'", overflow);
  const name = fullModelName(spec.name);
  const digest = str('digest', hexDigest(name));
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
    size: intInRange(
      `${at}.size`,
      spec.size,
      0,
      Number.MAX_SAFE_INTEGER,
      Math.round(parameterCount(parameterSize) * 0.6),
    ),
    digest,
    modifiedAtMs: timeMs(`${at}.modifiedAt`, spec.modifiedAt, Date.UTC(2026, 7, 1)),
    loadTimeMs: nonNegative(`${at}.loadTimeMs`, spec.loadTimeMs, server.loadTimeMs),
    tokensPerSecond: rate(`${at}.tokensPerSecond`, spec.tokensPerSecond, server.tokensPerSecond),
    numParallel: isEmbedding
      ? 1
      : intInRange(`${at}.numParallel`, spec.numParallel, 1, 1024, server.numParallel),
    contextOverflow: overflow,
    stop: spec.stop ?? [],
    template: spec.template,
    license: spec.license,
  };
}

function validateLatency(name: string, spec: LatencySpec): void {
  if (typeof spec === 'number') {
    nonNegative(name, spec, 0);
    return;
  }
  if (typeof spec !== 'object' || spec === null) fail(name, 'a number or a latency object', spec);
  if ('min' in spec) {
    nonNegative(`${name}.min`, spec.min, 0);
    nonNegative(`${name}.max`, spec.max, 0);
    if (spec.max < spec.min) fail(`${name}.max`, `a number >= min (${spec.min})`, spec.max, true);
    return;
  }
  if (spec.distribution === 'exponential') {
    nonNegative(`${name}.mean`, spec.mean, 0);
    return;
  }
  if (spec.distribution === 'normal') {
    nonNegative(`${name}.mean`, spec.mean, 0);
    nonNegative(`${name}.stddev`, spec.stddev, 0);
    return;
  }
  fail(name, "{ min, max } or { distribution: 'exponential' | 'normal', ... }", spec);
}

const OFFSET_KINDS = new Set(['error-line', 'destroy', 'end-without-done']);

function validateFault(name: string, fault: Fault): void {
  if (typeof fault !== 'object' || fault === null) fail(name, 'a fault object', fault);
  const optionalCount = (key: string, value: unknown) => {
    if (value !== undefined) intInRange(`${name}.${key}`, value, 0, Number.MAX_SAFE_INTEGER, 0);
  };
  switch (fault.kind) {
    case 'latency':
      validateLatency(`${name}.ms`, fault.ms);
      return;
    case 'slow-headers':
    case 'refuse':
      nonNegative(`${name}.ms`, fault.ms, 0);
      if (fault.ms === undefined) fail(`${name}.ms`, 'a number >= 0', fault.ms);
      return;
    case 'stall':
      nonNegative(`${name}.ms`, fault.ms, 0);
      if (fault.ms === undefined) fail(`${name}.ms`, 'a number >= 0', fault.ms);
      optionalCount('afterChunks', fault.afterChunks);
      return;
    case 'status':
      intInRange(`${name}.status`, fault.status, 100, 599, 500);
      if (fault.status === undefined)
        fail(`${name}.status`, 'an integer between 100 and 599', fault.status);
      return;
    case 'split': {
      if (fault.at === undefined && fault.every === undefined)
        fail(`${name}.at`, 'an array of byte offsets (or `every`)', fault.at);
      if (fault.at !== undefined) {
        if (!Array.isArray(fault.at)) fail(`${name}.at`, 'an array of byte offsets', fault.at);
        fault.at.forEach((o, i) => {
          intInRange(`${name}.at[${i}]`, o, 1, Number.MAX_SAFE_INTEGER, 1);
        });
      }
      if (fault.every !== undefined) intInRange(`${name}.every`, fault.every, 1, 2 ** 31, 1);
      nonNegative(`${name}.gapMs`, fault.gapMs, 0);
      return;
    }
    case 'replay':
      parseFixture(fault.fixture, `${name}.fixture`);
      return;
    default:
      if (OFFSET_KINDS.has((fault as { kind: string }).kind)) {
        optionalCount('afterChunks', (fault as { afterChunks?: number }).afterChunks);
        return;
      }
      fail(`${name}.kind`, 'a known fault kind', (fault as { kind: unknown }).kind);
  }
}

function validateFaultEntry(name: string, entry: Fault | readonly Fault[] | null): void {
  if (entry === null) return;
  if (Array.isArray(entry)) {
    entry.forEach((f, i) => {
      validateFault(`${name}[${i}]`, f);
    });
    return;
  }
  validateFault(name, entry as Fault);
}

/**
 * Validates a fault plan (or a bare array of rules) and returns it as a plan.
 *
 * @throws {TypeError | RangeError} naming the first bad field.
 */
export function normalizeFaultPlan(input: unknown, defaultSeed: number): FaultPlan {
  const plan: FaultPlan = Array.isArray(input)
    ? { rules: input as FaultRule[] }
    : (input as FaultPlan);
  if (typeof plan !== 'object' || plan === null || !Array.isArray(plan.rules))
    fail('faults', 'an array of fault rules or { rules, seed }', input);
  const seed = intInRange('faults.seed', plan.seed, 0, 2 ** 32 - 1, defaultSeed);
  plan.rules.forEach((rule, i) => {
    const at = `faults.rules[${i}]`;
    if (typeof rule !== 'object' || rule === null) fail(at, 'a fault rule object', rule);
    const route = rule.route;
    if (
      route !== undefined &&
      typeof route !== 'string' &&
      !(Array.isArray(route) && route.every((r) => typeof r === 'string'))
    )
      fail(`${at}.route`, 'a path, an array of paths or "*"', route);
    if (rule.model !== undefined && typeof rule.model !== 'string')
      fail(`${at}.model`, 'a string', rule.model);
    if ((rule.sequence === undefined) === (rule.fault === undefined))
      fail(at, 'a rule with exactly one of `sequence` and `fault`', rule);
    if (rule.sequence !== undefined) {
      if (!Array.isArray(rule.sequence)) fail(`${at}.sequence`, 'an array', rule.sequence);
      rule.sequence.forEach((entry: Fault | readonly Fault[] | null, j: number) => {
        validateFaultEntry(`${at}.sequence[${j}]`, entry);
      });
    }
    if (rule.fault !== undefined) validateFaultEntry(`${at}.fault`, rule.fault);
    if (rule.probability !== undefined)
      expectNumber(`${at}.probability`, rule.probability, { min: 0, max: 1 });
    if (rule.times !== undefined && rule.times !== Number.POSITIVE_INFINITY)
      intInRange(`${at}.times`, rule.times, 0, Number.MAX_SAFE_INTEGER, 0);
  });
  return { rules: plan.rules, seed };
}

/**
 * Validates {@link OllamaSimOptions} and fills in the defaults.
 *
 * @throws {TypeError} when an option has the wrong type.
 * @throws {RangeError} when a number is out of range.
 */
export function resolveOptions(options: OllamaSimOptions = {}): ResolvedOptions {
  if (typeof options !== 'object' || options === null) fail('options', 'an object', options);
  const host = options.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host === '') fail('host', 'a non-empty string', host);
  const version = options.version ?? '0.32.15';
  if (typeof version !== 'string' || version === '') fail('version', 'a non-empty string', version);
  const models = options.models ?? defaultModels;
  if (!Array.isArray(models)) fail('models', 'an array of models', models);
  if (options.reply !== undefined && typeof options.reply !== 'function')
    fail('reply', 'a function', options.reply);
  const responseTokens = options.responseTokens ?? { min: 8, max: 32 };
  if (typeof responseTokens !== 'object' || responseTokens === null)
    fail('responseTokens', 'an object { min, max }', responseTokens);
  const min = intInRange('responseTokens.min', responseTokens.min, 1, 1_000_000, 8);
  const max = intInRange('responseTokens.max', responseTokens.max, min, 1_000_000, 32);
  const fixtures = options.fixtures ?? [];
  if (!Array.isArray(fixtures)) fail('fixtures', 'an array of fixtures', fixtures);
  const seed = intInRange('seed', options.seed, 0, 2 ** 32 - 1, 0);
  optionalSignal('signal', options.signal);
  optionalBoolean('hostCheck', options.hostCheck);
  const keepAliveMs = options.keepAliveMs ?? 300_000;
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
    loadTimeMs: nonNegative('loadTimeMs', options.loadTimeMs, 0),
    numParallel: intInRange('numParallel', options.numParallel, 1, 1024, 1),
    maxQueue: intInRange('maxQueue', options.maxQueue, 0, 1_000_000, 512),
    defaultNumCtx: intInRange('defaultNumCtx', options.defaultNumCtx, 1, 2 ** 31, 4096),
    keepAliveMs: keepAliveMs < 0 ? Number.POSITIVE_INFINITY : keepAliveMs,
    tokensPerChar: positiveFinite('tokensPerChar', options.tokensPerChar, 0.27),
    responseTokens: { min, max },
    seed,
    reply: options.reply,
    faults: normalizeFaultPlan(options.faults ?? [], seed),
    fixtures: fixtures.map((f, i) => parseFixture(f, `fixtures[${i}]`)),
    maxBodyBytes: intInRange('maxBodyBytes', options.maxBodyBytes, 1, 2 ** 31, 32 * 1024 * 1024),
    maxLogEntries: intInRange('maxLogEntries', options.maxLogEntries, 0, 1_000_000, 1000),
    hostCheck: options.hostCheck ?? true,
  };
  const seen = new Set<string>();
  models.forEach((m, i) => {
    const r = resolveModel(m, i, resolved);
    if (seen.has(r.key))
      fail(`models[${i}].name`, 'a name not used by another model', m.name, true);
    seen.add(r.key);
  });
  return resolved;
}
