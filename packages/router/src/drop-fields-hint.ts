import { messageParts, optionError, quoted, UNKNOWN_KEY_LEAD } from '@x/internal';
import type { Deployment } from './deployment';
import { type FieldKind, reachableDeployments } from './drop-fields';
import type { RouterRuntime } from './runtime';
import { readProperty } from './thrown-value';

/** A top-level request field in an unknown-key error's path (`request.think`). */
const TOP_LEVEL = /^request\.([^.[]+)$/;

/**
 * A deployment's provider refused a top-level field of the request as unknown (``Unknown option
 * `request.think` ``) that another provider the call can reach takes: the case
 * `dropUnknownFields` is for. Without the remedy in the message, the same call fails or not by
 * which deployment the strategy picked, and nothing points to the option. Returns the provider's
 * `TypeError` re-raised with the remedy after its message (its message first, its stack kept), or
 * `undefined` for any other error, or when `dropUnknownFields` would not drop the field (a typo no
 * provider takes, a provider that does not list its fields). Runs only on a call's failure, and
 * reads the providers' `requestFields` then, whatever the router's options.
 */
export function dropFieldsHint(
  error: unknown,
  rt: RouterRuntime,
  group: string,
  d: Deployment,
  kind: FieldKind,
): TypeError | undefined {
  // A provider of the user's own may hand over anything: a read that throws is no hint.
  try {
    const parts = messageParts(error);
    if (parts === undefined || !(error instanceof TypeError)) return undefined;
    if (parts[0] !== UNKNOWN_KEY_LEAD || d.dropUnknownFields) return undefined;
    const key = TOP_LEVEL.exec(parts[1] ?? '')?.[1];
    if (key === undefined || fieldsOf(d, kind)?.has(key) !== false) return undefined;
    const others = reachableDeployments(group, rt.tiers, rt.fallbacks, rt.contextFallbacks);
    if (!others.some((o) => o !== d && fieldsOf(o, kind)?.has(key) === true)) return undefined;
    const remedy =
      ` (deployment ${quoted(d.id)} of group ${quoted(d.group)} does not take it, another` +
      ' provider of the call does: set `dropUnknownFields: true` on the router, or on this' +
      ' deployment, to leave such fields out of the requests a deployment receives, or send' +
      ` \`${key}\` only to deployments that take it)`;
    const last = parts.length - 1;
    const hinted = optionError(parts.map((p, i) => (i === last ? p + remedy : p))) as TypeError;
    // Keep the frames of the provider's check that refused the field, under the new message.
    const head = `${error.name}: ${error.message}`;
    if (typeof error.stack === 'string' && error.stack.startsWith(head)) {
      hinted.stack = `${hinted.name}: ${hinted.message}${error.stack.slice(head.length)}`;
    }
    return hinted;
  } catch {
    return undefined;
  }
}

/**
 * The fields of `kind` a deployment's provider takes: read at construction when a deployment of
 * the router drops fields, else from the provider now; `undefined` when it does not list them.
 */
function fieldsOf(d: Deployment, kind: FieldKind): { has(field: string): boolean } | undefined {
  const fields = d.requestFields ?? readProperty(d.provider, 'requestFields');
  const set = readProperty(fields, kind) as { has?: unknown } | undefined;
  return typeof set?.has === 'function' ? (set as { has(field: string): boolean }) : undefined;
}
