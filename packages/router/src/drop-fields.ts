import { fail } from '@x/internal';
import type { Deployment, Operation } from './deployment';
import type { RequestFieldsLike } from './types';

/** Which of a provider's field lists a call reads: `complete` and `stream` send a chat request. */
export type FieldKind = keyof RequestFieldsLike;

export const fieldKind = (op: Operation): FieldKind => (op === 'embed' ? 'embed' : 'chat');

/** The fields some provider of a group's calls takes, by kind. */
export type KnownFields = Readonly<Record<FieldKind, ReadonlySet<string>>>;

/**
 * A provider's `requestFields`, checked once at construction when a deployment of the router
 * drops fields: an object whose `chat` and `embed` (each optional) are sets of field names.
 */
export function readRequestFields(value: unknown, at: string): RequestFieldsLike | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null) {
    fail(at, 'an object of `chat` and `embed` sets of field names', value);
  }
  const fields = value as Record<string, unknown>;
  for (const kind of ['chat', 'embed'] as const) {
    const set = fields[kind];
    const like = set as { has?: unknown; [Symbol.iterator]?: unknown } | null | undefined;
    if (
      set !== undefined &&
      (typeof like?.has !== 'function' || typeof like[Symbol.iterator] !== 'function')
    ) {
      fail(`${at}.${kind}`, 'a set of field names (`ReadonlySet<string>`)', set);
    }
  }
  return fields as RequestFieldsLike;
}

/** The deployments a call to `group` can reach: its own, its `fallbacks`' and `contextFallbacks'`. */
export function reachableDeployments(
  group: string,
  tiers: ReadonlyMap<string, readonly (readonly Deployment[])[]>,
  fallbacks: ReadonlyMap<string, readonly string[]>,
  contextFallbacks: ReadonlyMap<string, readonly string[]>,
): Deployment[] {
  const groups = [group, ...(fallbacks.get(group) ?? []), ...(contextFallbacks.get(group) ?? [])];
  return groups.flatMap((g) => (tiers.get(g) ?? []).flat());
}

/**
 * For each group whose calls may reach a deployment that drops fields: the fields some provider
 * those calls can reach (its own deployments, its `fallbacks`' and `contextFallbacks`') takes.
 * A field none of them takes is left in the request, for the provider to refuse as a typo.
 * Computed once, at construction; empty when no deployment drops fields.
 */
export function knownFieldsByGroup(
  tiers: ReadonlyMap<string, readonly (readonly Deployment[])[]>,
  fallbacks: ReadonlyMap<string, readonly string[]>,
  contextFallbacks: ReadonlyMap<string, readonly string[]>,
): Map<string, KnownFields> {
  const known = new Map<string, KnownFields>();
  for (const group of tiers.keys()) {
    const reachable = reachableDeployments(group, tiers, fallbacks, contextFallbacks);
    if (!reachable.some((d) => d.dropUnknownFields && d.requestFields !== undefined)) continue;
    const chat = new Set<string>();
    const embed = new Set<string>();
    for (const d of reachable) {
      for (const field of d.requestFields?.chat ?? []) chat.add(field);
      for (const field of d.requestFields?.embed ?? []) embed.add(field);
    }
    known.set(group, { chat, embed });
  }
  return known;
}

/**
 * The top-level fields of `request` that `d`'s provider does not take but another provider of
 * the call's group does (`known`), in the request's order; `undefined` when there are none, or
 * when `d` does not drop fields. The request itself is never changed.
 */
export function fieldsToDrop(
  request: object,
  d: Deployment,
  kind: FieldKind,
  known: KnownFields | undefined,
): string[] | undefined {
  if (known === undefined || !d.dropUnknownFields) return undefined;
  const own = d.requestFields?.[kind];
  if (own === undefined) return undefined;
  const others = known[kind];
  let dropped: string[] | undefined;
  for (const key in request) {
    if (!own.has(key) && others.has(key) && Object.hasOwn(request, key)) {
      if (dropped === undefined) dropped = [key];
      else dropped.push(key);
    }
  }
  return dropped;
}
