import { closestKey, expectKnownKeys, expectNumber, fail, isPlainObject } from '@x/internal';
import type { Fault, FaultKind, FaultPlan, FaultRule, LatencySpec } from '../faults';
import { parseFixture } from '../fixtures';
import { duration, intInRange } from './checks';
import { findRoute, type Route } from './router';
import { ROUTES } from './routes';

const PLAN_KEYS: readonly (keyof FaultPlan)[] = ['rules', 'seed'];
const RULE_KEYS: readonly (keyof FaultRule)[] = [
  'route',
  'model',
  'sequence',
  'repeat',
  'fault',
  'probability',
  'times',
];

/** The fields each fault kind takes (`kind` included): anything else is a misspelling. */
const FAULT_KEYS: Readonly<Record<FaultKind, readonly string[]>> = {
  latency: ['kind', 'ms'],
  'slow-headers': ['kind', 'ms'],
  status: ['kind', 'status', 'error', 'body', 'contentType'],
  'rate-limit': [
    'kind',
    'code',
    'limit',
    'retryAfterMs',
    'limitRequests',
    'limitTokens',
    'message',
  ],
  'error-line': ['kind', 'afterChunks', 'error', 'style'],
  'runner-crash': ['kind', 'exitStatus', 'lastError'],
  destroy: ['kind', 'afterChunks'],
  'end-without-done': ['kind', 'afterChunks'],
  stall: ['kind', 'ms', 'afterChunks', 'everyChunk'],
  split: ['kind', 'at', 'every', 'gapMs'],
  refuse: ['kind', 'ms'],
  replay: ['kind', 'fixture'],
};
const FAULT_KINDS = Object.keys(FAULT_KEYS);

/** What a rule's `route` can name: every served path, a parameter's as its pattern. */
const ROUTE_PATHS = [...ROUTES.exact.keys(), ...[...ROUTES.prefixed.values()].map((r) => r.path)];
// `/` is inside every path, so closestKey would offer it for any short unknown one.
const SUGGESTED_ROUTES = ROUTE_PATHS.filter((p) => p !== '/');

/** ` (did you mean 'x'?)` for the known value closest to a misspelt one, else nothing. */
function nearHint(value: unknown, known: readonly string[]): string {
  const near = typeof value === 'string' ? closestKey(value, known) : undefined;
  return near === undefined ? '' : ` (did you mean '${near}'?)`;
}

const quoted = (values: readonly string[]): string => values.map((v) => `'${v}'`).join(', ');

function validateLatency(name: string, spec: LatencySpec): void {
  if (typeof spec === 'number') {
    duration(name, spec, 0);
    return;
  }
  if (!isPlainObject(spec as unknown)) fail(name, 'a number or a latency object', spec);
  if ('min' in spec || 'max' in spec) {
    const range = spec as { min: number; max: number };
    expectKnownKeys(name, range, ['min', 'max']);
    duration(`${name}.min`, range.min, 0);
    duration(`${name}.max`, range.max, 0);
    if (range.max < range.min)
      fail(`${name}.max`, `a number >= min (${range.min})`, range.max, true);
    return;
  }
  if (spec.distribution === 'exponential') {
    expectKnownKeys(name, spec, ['distribution', 'mean']);
    duration(`${name}.mean`, spec.mean, 0);
    return;
  }
  if (spec.distribution === 'normal') {
    expectKnownKeys(name, spec, ['distribution', 'mean', 'stddev']);
    duration(`${name}.mean`, spec.mean, 0);
    duration(`${name}.stddev`, spec.stddev, 0);
    return;
  }
  fail(name, "{ min, max } or { distribution: 'exponential' | 'normal', ... }", spec);
}

function required(name: string, value: unknown, what: string): void {
  if (value === undefined) fail(name, what, value);
}

function oneOf(name: string, value: unknown, allowed: readonly string[]): void {
  if (value === undefined || allowed.includes(value as string)) return;
  fail(
    name,
    `one of ${quoted(allowed)}${nearHint(value, allowed)}`,
    value,
    typeof value === 'string',
  );
}

function validateFault(name: string, fault: Fault): void {
  if (!isPlainObject(fault as unknown)) fail(name, 'a fault object', fault);
  const kind = (fault as { kind: unknown }).kind;
  if (typeof kind !== 'string' || !Object.hasOwn(FAULT_KEYS, kind)) {
    const what = `one of ${quoted(FAULT_KINDS)}${nearHint(kind, FAULT_KINDS)}`;
    fail(`${name}.kind`, what, kind, typeof kind === 'string');
  }
  expectKnownKeys(name, fault, FAULT_KEYS[kind as FaultKind]);
  const optionalCount = (key: string, value: unknown) => {
    if (value !== undefined) intInRange(`${name}.${key}`, value, 0, Number.MAX_SAFE_INTEGER, 0);
  };
  switch (fault.kind) {
    case 'latency':
      validateLatency(`${name}.ms`, fault.ms);
      return;
    case 'slow-headers':
    case 'refuse':
      required(`${name}.ms`, fault.ms, 'a duration in ms');
      duration(`${name}.ms`, fault.ms, 0);
      return;
    case 'stall':
      required(`${name}.ms`, fault.ms, 'a duration in ms');
      duration(`${name}.ms`, fault.ms, 0);
      optionalCount('afterChunks', fault.afterChunks);
      return;
    case 'status':
      required(`${name}.status`, fault.status, 'an integer between 100 and 599');
      intInRange(`${name}.status`, fault.status, 100, 599, 500);
      return;
    case 'rate-limit':
      oneOf(`${name}.code`, fault.code, ['rate_limit_exceeded', 'insufficient_quota']);
      oneOf(`${name}.limit`, fault.limit, ['requests', 'tokens']);
      duration(`${name}.retryAfterMs`, fault.retryAfterMs, 0);
      intInRange(`${name}.limitRequests`, fault.limitRequests, 1, Number.MAX_SAFE_INTEGER, 1);
      intInRange(`${name}.limitTokens`, fault.limitTokens, 1, Number.MAX_SAFE_INTEGER, 1);
      if (fault.message !== undefined && typeof fault.message !== 'string')
        fail(`${name}.message`, 'a string', fault.message);
      return;
    case 'runner-crash':
      intInRange(`${name}.exitStatus`, fault.exitStatus, -1, 255, 1);
      if (fault.lastError !== undefined && typeof fault.lastError !== 'string')
        fail(`${name}.lastError`, 'a string', fault.lastError);
      return;
    case 'split':
      if (fault.at === undefined && fault.every === undefined)
        fail(`${name}.at`, 'an array of byte offsets (or `every`)', fault.at);
      if (fault.at !== undefined) {
        if (!Array.isArray(fault.at)) fail(`${name}.at`, 'an array of byte offsets', fault.at);
        fault.at.forEach((o, i) => {
          intInRange(`${name}.at[${i}]`, o, 1, Number.MAX_SAFE_INTEGER, 1);
        });
      }
      if (fault.every !== undefined) intInRange(`${name}.every`, fault.every, 1, 2 ** 31, 1);
      duration(`${name}.gapMs`, fault.gapMs, 0);
      return;
    case 'replay':
      parseFixture(fault.fixture, `${name}.fixture`);
      return;
    case 'error-line':
      optionalCount('afterChunks', fault.afterChunks);
      oneOf(`${name}.style`, fault.style, ['ollama', 'openai']);
      return;
    default:
      optionalCount('afterChunks', (fault as { afterChunks?: number | undefined }).afterChunks);
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

/** `/api/blobs/:digst` is routed as one blob's path, but it was meant as the pattern. */
function isMisspeltPattern(
  path: string,
  found: { route: Route; param: string | undefined },
): boolean {
  return found.param?.startsWith(':') === true && found.route.path !== path;
}

/**
 * A path no route serves is answered (404, redirect) before any fault is picked, so a rule naming
 * it would never fire: refused, with the closest served route, or the list of them.
 */
function expectServed(name: string, path: string): void {
  if (path === '*') return;
  const found = findRoute(ROUTES, path);
  if (found !== undefined && !isMisspeltPattern(path, found)) return;
  const hint = nearHint(path, SUGGESTED_ROUTES);
  const what = `'*' or a path the simulator serves`;
  fail(name, hint === '' ? `${what}: ${quoted(ROUTE_PATHS)}` : `${what}${hint}`, path, true);
}

function validateRoute(name: string, route: unknown): void {
  if (route === undefined) return;
  if (typeof route === 'string') {
    expectServed(name, route);
    return;
  }
  const what = `a path, a non-empty array of paths or '*'`;
  if (!Array.isArray(route) || !route.every((r) => typeof r === 'string')) fail(name, what, route);
  if (route.length === 0) fail(name, what, route, true);
  route.forEach((path: string, i) => {
    expectServed(`${name}[${i}]`, path);
  });
}

function validateRule(at: string, rule: FaultRule): void {
  if (!isPlainObject(rule as unknown)) fail(at, 'a fault rule object', rule);
  expectKnownKeys(at, rule, RULE_KEYS);
  validateRoute(`${at}.route`, rule.route);
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
}

/**
 * Validates a fault plan (or a bare array of rules) and returns it as a plan.
 *
 * @throws {TypeError | RangeError} naming the first bad field, or an unknown key with the closest
 * known one.
 */
export function normalizeFaultPlan(input: unknown, defaultSeed: number): FaultPlan {
  // Paths name what the caller wrote: `faults[0]` in the array shorthand, `faults.rules[0]` in a plan.
  if (Array.isArray(input)) {
    validateRules('faults', input);
    return { rules: input, seed: defaultSeed };
  }
  if (!isPlainObject(input)) fail('faults', 'an array of fault rules or { rules, seed }', input);
  expectKnownKeys('faults', input, PLAN_KEYS);
  const { rules } = input as { rules: unknown };
  if (!Array.isArray(rules)) fail('faults.rules', 'an array of fault rules', rules);
  const seed = intInRange('faults.seed', input.seed, 0, 2 ** 32 - 1, defaultSeed);
  validateRules('faults.rules', rules);
  return { rules, seed };
}

function validateRules(at: string, rules: readonly FaultRule[]): void {
  rules.forEach((rule, i) => {
    validateRule(`${at}[${i}]`, rule);
  });
}
