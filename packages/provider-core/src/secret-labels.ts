import { failSecret, isPlainObject } from '@x/internal';
import type { CoreOptions } from './core-options';
import type { Redactor } from './secrets';

/** Options of a piece whose field names it wherever it shows: errors, channels, stats, keys. */
const PIECE_LABELS = [
  // `CircuitOpenError.cause`, `x:breaker:*` messages, `breaker.toJSON()`
  ['breaker', 'name'],
  // every cache key, in memory or in Redis
  ['cache', 'namespace'],
  // the limiter's key, in Redis and its events
  ['rateLimit', 'key'],
] as const;

/**
 * Refuses a configured secret (the key, a header's credential) in an option that names what the
 * provider publishes: `name` (the `provider` label of metrics, logs and audit events), `share` and
 * each `share.*` (the names of process-wide pieces), `breaker.name`, `cache.namespace` and
 * `rateLimit.key`. A key pasted into the wrong option is refused here, before any piece is made
 * under it, never published. Their shapes (a URL with a password, a generated token) are checked
 * where each is read (`expectSharedName`); a value of the wrong type is left to that check too.
 */
export function refuseSecretLabels(options: CoreOptions, redactor: Redactor): void {
  const labels: [string, unknown][] = [['name', options.name]];
  const { share } = options;
  if (isPlainObject(share)) {
    for (const [key, value] of Object.entries(share)) labels.push([`share.${key}`, value]);
  } else {
    labels.push(['share', share]);
  }
  for (const [option, field] of PIECE_LABELS) {
    const given: unknown = options[option];
    if (isPlainObject(given)) labels.push([`${option}.${field}`, given[field]]);
  }
  for (const [name, value] of labels) {
    if (typeof value === 'string' && redactor.holdsSecret(value)) {
      // A string of the right type whose value no label may hold: a RangeError.
      failSecret(name, 'a label, not a credential', value, true);
    }
  }
}
