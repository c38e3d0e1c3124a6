import {
  expectFunction,
  expectKnownKeys,
  expectLogger,
  fail,
  isPlainObject,
  optionalBoolean,
  optionalDuration,
  optionalNumber,
  PackageLog,
  quoted,
} from '@x/internal';
import {
  type DeploymentOptions,
  type ResolvedDeployment,
  resolveDeployment,
} from './deployment-options';
import { readRequestFields } from './drop-fields';
import { type RouterLogger, redactRouterLog } from './log';
import type { RouterState } from './state';

/** How the router picks among the deployments of one group (and one priority). */
export type StrategyName =
  | 'weighted-random'
  | 'least-in-flight'
  | 'lowest-latency'
  | 'most-quota-left';

const STRATEGIES: readonly StrategyName[] = [
  'weighted-random',
  'least-in-flight',
  'lowest-latency',
  'most-quota-left',
];

/** When a failing deployment is taken out of rotation, and for how long. */
export interface CooldownOptions {
  /**
   * Failures in a row (no success in between) that take a deployment out.
   * @default 3
   */
  failures?: number | undefined;
  /**
   * The failures must fall within this window, in ms.
   * @default 10_000
   */
  windowMs?: number | undefined;
  /**
   * How long a deployment stays out, in ms; then one call probes it.
   * @default 10_000
   */
  durationMs?: number | undefined;
  /**
   * The longest cooldown a `Retry-After` can impose, in ms.
   * @default 300_000
   */
  maxRetryAfterMs?: number | undefined;
}

/** Options of the `lowest-latency` strategy. */
export interface LatencyOptions {
  /**
   * Weight of the newest sample in the moving average, in (0, 1].
   * @default 0.3
   */
  smoothing?: number | undefined;
  /**
   * Share of calls that go to a deployment drawn by weight instead of the fastest one, so a
   * deployment that was slow (or just recovered) is measured again.
   * @default 0.05
   */
  exploration?: number | undefined;
}

/**
 * A deployment whose keys {@link DeploymentOptions} lacks are `never`: `D` is inferred from the
 * deployments written out, so a misspelt key (`wieght`) would otherwise become part of `D` and
 * compile. Distributed over `D`, so one deployment's typo is caught among mixed providers; a key
 * typed `undefined` is let through, as TypeScript gives one to the other members of an array
 * literal when a single deployment has it (the typo is reported on that deployment alone).
 */
export type KnownKeysOnly<D> = D extends unknown
  ? D & {
      [K in Exclude<keyof D, keyof DeploymentOptions> as undefined extends D[K] ? never : K]: never;
    }
  : never;

/**
 * Groups to lists of groups (`fallbacks`, `contextFallbacks`), both named as the deployments name
 * them: literals when they are written out, so a misspelt group does not compile.
 */
export type GroupMap<D extends DeploymentOptions> = string extends D['group']
  ? // Not a mapped type for `string` groups: as a spread source, TypeScript would infer `D` from it.
    Readonly<Record<string, readonly string[] | undefined>>
  : { readonly [G in D['group']]?: readonly D['group'][] | undefined };

/** Options of {@link createRouter}. */
export interface RouterOptions<D extends DeploymentOptions = DeploymentOptions> {
  /** Every deployment, in any group. At least one. */
  // `D &` as well: TypeScript infers a `const` type parameter's literals (the group names) only
  // where it is the contextual type itself, not through `KnownKeysOnly`'s conditional.
  deployments: readonly (D & KnownKeysOnly<D>)[];
  /**
   * How the router picks among deployments of the same group and priority.
   * @default 'weighted-random'
   */
  strategy?: StrategyName | undefined;
  /**
   * Groups tried, in this order, when every deployment of a group failed:
   * `{ 'chat-small': ['chat-large'] }`. Not followed transitively. With the deployments written
   * out, a misspelt group, as a key or in a list, does not compile.
   * @default {}
   */
  fallbacks?: GroupMap<D> | undefined;
  /**
   * Groups tried, in this order, after a context overflow (and only then), besides the larger
   * deployments of the group and of its `fallbacks`: `{ 'chat-small': ['chat-long'] }`.
   * @default {}
   */
  contextFallbacks?: GroupMap<D> | undefined;
  /**
   * Cooldowns of failing deployments, or `false` for none.
   * @default { failures: 3, windowMs: 10_000, durationMs: 10_000, maxRetryAfterMs: 300_000 }
   */
  cooldown?: CooldownOptions | false | undefined;
  /** The `lowest-latency` strategy's moving average and exploration. */
  latency?: LatencyOptions | undefined;
  /**
   * Source of randomness in [0, 1): the weighted draw and the exploration. Each draw is checked:
   * a value outside [0, 1) fails the call with a `RangeError` (a `TypeError` for no number).
   * @default Math.random
   */
  random?: (() => number) | undefined;
  /**
   * Shares cooldowns with other instances (`createRedisRouterState()` from `@x/router/redis`).
   * @default undefined (this instance's own view only)
   */
  state?: RouterState | undefined;
  /**
   * `close()` also closes every provider.
   * @default false
   */
  closeProviders?: boolean | undefined;
  /**
   * The longest `close()` and `destroy()` wait, once the router's calls ended, for what they
   * close: the shared state's `close()` and, with `closeProviders`, each provider's `close()`
   * or `destroy()`. Past it they reject with `RouterCloseTimeoutError` naming what did not finish
   * (which goes on by itself). 0 turns the bound off.
   * @default 10_000
   */
  closeTimeoutMs?: number | undefined;
  /**
   * Streams: the longest your code may hold a routed chunk before asking for the next. Past it
   * the stream is ended (a dropped iterator): its provider's stream is returned, which frees the
   * socket, and the deployment's in-flight count and the router's are given back; a later read
   * rejects with a `ProviderTimeoutError` (`timeout: 'consumer'`). 0 turns it off.
   * @default 300_000 (the providers' own `timeouts.consumerMs`)
   */
  consumerMs?: number | undefined;
  /**
   * pino, `console` or any {@link RouterLogger}: fallbacks, cooldowns, recoveries, shared-state
   * outages and failed calls, in the format every `@x` package writes (see the README's Logging).
   * @default undefined (silent)
   */
  logger?: RouterLogger | undefined;
  /**
   * A request sent to a deployment loses the top-level fields its provider does not take (its
   * `requestFields`) that another provider of the call's group (its own deployments and its
   * fallback groups') takes, so a fallback from Ollama to OpenAI is not refused for Ollama's
   * `think`; the answer's `route.droppedFields` lists them. A field no provider of the group
   * takes (a typo) is still the provider's `TypeError`. Each deployment may set its own.
   * @default false (such a field is the `TypeError` of the provider that lacks it)
   */
  dropUnknownFields?: boolean | undefined;
}

export interface ResolvedCooldown {
  failures: number;
  windowMs: number;
  durationMs: number;
  maxRetryAfterMs: number;
}

export interface ResolvedOptions {
  deployments: ResolvedDeployment[];
  strategy: StrategyName;
  fallbacks: ReadonlyMap<string, readonly string[]>;
  contextFallbacks: ReadonlyMap<string, readonly string[]>;
  cooldown: ResolvedCooldown | undefined;
  smoothing: number;
  exploration: number;
  random: () => number;
  state: RouterState | undefined;
  closeProviders: boolean;
  /** undefined: off. */
  closeTimeoutMs: number | undefined;
  /** undefined: off. */
  consumerMs: number | undefined;
  log: PackageLog;
}

const DEFAULT_COOLDOWN: Readonly<ResolvedCooldown> = Object.freeze({
  failures: 3,
  windowMs: 10_000,
  durationMs: 10_000,
  maxRetryAfterMs: 300_000,
});

const OPTION_KEYS = [
  'deployments',
  'strategy',
  'fallbacks',
  'contextFallbacks',
  'cooldown',
  'latency',
  'random',
  'state',
  'logger',
  'closeProviders',
  'closeTimeoutMs',
  'consumerMs',
  'dropUnknownFields',
] as const;
const COOLDOWN_KEYS = ['failures', 'windowMs', 'durationMs', 'maxRetryAfterMs'] as const;
const LATENCY_KEYS = ['smoothing', 'exploration'] as const;

function resolveGroupMap(
  name: string,
  value: unknown,
  groups: ReadonlySet<string>,
): Map<string, readonly string[]> {
  const out = new Map<string, readonly string[]>();
  if (value === undefined) return out;
  if (!isPlainObject(value)) fail(name, 'an object of group names to arrays of group names', value);
  const known = [...groups].map((g) => quoted(g)).join(', ');
  for (const [group, targets] of Object.entries(value)) {
    if (!groups.has(group))
      fail(`${name}.${group}`, `keyed by a model group (${known})`, group, true);
    // An entry left `undefined` (a spread of optional configuration) is one not given.
    if (targets === undefined) continue;
    if (!Array.isArray(targets)) fail(`${name}.${group}`, 'an array of group names', targets);
    for (const [i, target] of targets.entries()) {
      if (typeof target !== 'string') fail(`${name}.${group}[${i}]`, 'a group name', target);
      if (!groups.has(target) || target === group) {
        fail(`${name}.${group}[${i}]`, `another model group (${known})`, target, true);
      }
    }
    out.set(group, Object.freeze([...new Set(targets as string[])]));
  }
  return out;
}

function resolveCooldown(value: unknown): ResolvedCooldown | undefined {
  if (value === false) return undefined;
  if (value === undefined) return { ...DEFAULT_COOLDOWN };
  if (!isPlainObject(value)) fail('cooldown', 'an object of cooldown options, or false', value);
  expectKnownKeys('cooldown', value, COOLDOWN_KEYS);
  return {
    failures:
      optionalNumber('cooldown.failures', value.failures, { min: 1, integer: true }) ??
      DEFAULT_COOLDOWN.failures,
    windowMs:
      optionalDuration('cooldown.windowMs', value.windowMs, { min: 1 }) ??
      DEFAULT_COOLDOWN.windowMs,
    durationMs:
      optionalDuration('cooldown.durationMs', value.durationMs, { min: 1 }) ??
      DEFAULT_COOLDOWN.durationMs,
    maxRetryAfterMs:
      optionalDuration('cooldown.maxRetryAfterMs', value.maxRetryAfterMs) ??
      DEFAULT_COOLDOWN.maxRetryAfterMs,
  };
}

function resolveStrategy(value: unknown): StrategyName {
  if (value === undefined) return 'weighted-random';
  if (!STRATEGIES.includes(value as StrategyName)) {
    const names = STRATEGIES.map((s) => JSON.stringify(s)).join(', ');
    fail('strategy', `one of ${names}`, value, typeof value === 'string');
  }
  return value as StrategyName;
}

/** Validates the options of `createRouter` (TypeError / RangeError before anything runs). */
export function resolveOptions(options: unknown): ResolvedOptions {
  if (!isPlainObject(options)) fail('options', 'an object', options);
  expectKnownKeys(undefined, options, OPTION_KEYS);
  const list = options.deployments;
  if (!Array.isArray(list)) fail('deployments', 'an array of deployments', list);
  if (list.length === 0) fail('deployments', 'a non-empty array of deployments', list, true);
  const counts = new Map<string, number>();
  const drop = optionalBoolean('dropUnknownFields', options.dropUnknownFields) ?? false;
  // By index, not `map`: a hole of a sparse array is refused as `undefined` at its index.
  const deployments: ReturnType<typeof resolveDeployment>[] = [];
  for (let i = 0; i < list.length; i++) {
    deployments.push(resolveDeployment(list[i], `deployments[${i}]`, counts, drop));
  }
  if (deployments.some((d) => d.dropUnknownFields)) {
    for (const [i, d] of deployments.entries()) {
      const at = `deployments[${i}].provider.requestFields`;
      d.requestFields = readRequestFields(d.provider.requestFields, at);
    }
  }
  const ids = new Set<string>();
  for (const [i, d] of deployments.entries()) {
    if (ids.has(d.id)) fail(`deployments[${i}].id`, 'an id no other deployment has', d.id, true);
    ids.add(d.id);
  }
  const groups = new Set(deployments.map((d) => d.group));
  let smoothing = 0.3;
  let exploration = 0.05;
  if (options.latency !== undefined) {
    const latency = options.latency;
    if (!isPlainObject(latency)) fail('latency', 'an object of latency options', latency);
    expectKnownKeys('latency', latency, LATENCY_KEYS);
    smoothing =
      optionalNumber('latency.smoothing', latency.smoothing, {
        min: 0,
        exclusiveMin: true,
        max: 1,
      }) ?? smoothing;
    exploration =
      optionalNumber('latency.exploration', latency.exploration, { min: 0, max: 1 }) ?? exploration;
  }
  const state = options.state as RouterState | undefined;
  if (state !== undefined && typeof (state as { bind?: unknown }).bind !== 'function') {
    fail('state', 'a router state (createRedisRouterState())', state);
  }
  return {
    deployments,
    strategy: resolveStrategy(options.strategy),
    fallbacks: resolveGroupMap('fallbacks', options.fallbacks, groups),
    contextFallbacks: resolveGroupMap('contextFallbacks', options.contextFallbacks, groups),
    cooldown: resolveCooldown(options.cooldown),
    smoothing,
    exploration,
    random:
      options.random === undefined
        ? Math.random
        : expectFunction<() => number>('random', options.random),
    state,
    closeProviders: optionalBoolean('closeProviders', options.closeProviders) ?? false,
    // 10 s unless given; 0 turns the bound off
    closeTimeoutMs:
      (optionalDuration('closeTimeoutMs', options.closeTimeoutMs) ?? 10_000) || undefined,
    // 300 s unless given; 0 turns the bound off
    consumerMs: (optionalDuration('consumerMs', options.consumerMs) ?? 300_000) || undefined,
    log: new PackageLog('router', expectLogger('logger', options.logger), {}, redactRouterLog),
  };
}

/** The house argument check of a request's `model`: one of the router's groups. */
export function expectGroup(value: unknown, groups: ReadonlyMap<string, unknown>): string {
  if (typeof value !== 'string') fail('request.model', 'a model group name', value);
  if (!groups.has(value)) {
    const known = [...groups.keys()].map((g) => quoted(g)).join(', ');
    fail('request.model', `one of the router's model groups (${known})`, value, true);
  }
  return value;
}
