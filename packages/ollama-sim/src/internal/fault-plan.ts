import { expectKnownKeys, expectNumber, fail, isPlainObject } from '@x/internal';
import type { Fault, FaultKind, FaultPlan, FaultRule, LatencySpec } from '../faults';
import { parseFixture } from '../fixtures';
import { duration, intInRange } from './checks';

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
  'error-line': ['kind', 'afterChunks', 'error'],
  destroy: ['kind', 'afterChunks'],
  'end-without-done': ['kind', 'afterChunks'],
  stall: ['kind', 'ms', 'afterChunks', 'everyChunk'],
  split: ['kind', 'at', 'every', 'gapMs'],
  refuse: ['kind', 'ms'],
  replay: ['kind', 'fixture'],
};

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
  const what = `one of ${allowed.map((a) => `'${a}'`).join(', ')}`;
  fail(name, what, value, typeof value === 'string');
}

function validateFault(name: string, fault: Fault): void {
  if (!isPlainObject(fault as unknown)) fail(name, 'a fault object', fault);
  const kind = (fault as { kind: unknown }).kind;
  if (typeof kind !== 'string' || !Object.hasOwn(FAULT_KEYS, kind))
    fail(`${name}.kind`, 'a known fault kind', kind);
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

function validateRule(at: string, rule: FaultRule): void {
  if (!isPlainObject(rule as unknown)) fail(at, 'a fault rule object', rule);
  expectKnownKeys(at, rule, RULE_KEYS);
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
}

/**
 * Validates a fault plan (or a bare array of rules) and returns it as a plan.
 *
 * @throws {TypeError | RangeError} naming the first bad field, or an unknown key with the closest
 * known one.
 */
export function normalizeFaultPlan(input: unknown, defaultSeed: number): FaultPlan {
  const plan = (Array.isArray(input) ? { rules: input } : input) as FaultPlan;
  if (!isPlainObject(plan) || !Array.isArray(plan.rules))
    fail('faults', 'an array of fault rules or { rules, seed }', input);
  expectKnownKeys('faults', plan, PLAN_KEYS);
  const seed = intInRange('faults.seed', plan.seed, 0, 2 ** 32 - 1, defaultSeed);
  plan.rules.forEach((rule, i) => {
    validateRule(`faults.rules[${i}]`, rule);
  });
  return { rules: plan.rules, seed };
}
