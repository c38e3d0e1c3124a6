import { type KeyAliases, type MessageParts, optionError, UNKNOWN_KEY_LEAD } from '@x/internal';

/**
 * opossum's and cockatiel's names for a top-level option of ours: the hint an unknown key gets
 * instead of its edit-distance neighbour.
 */
export const OPTION_ALIASES: KeyAliases = {
  // opossum's wait before half-open, and cockatiel's.
  resetTimeout: 'openTimeoutMs',
  halfOpenAfter: 'openTimeoutMs',
  // opossum's filter of errors that are no failure: `classify` answers 'ignore' or 'success'.
  errorFilter: 'classify',
};

/**
 * opossum's names whose counterpart here is no top-level option: what follows the key in the
 * unknown-key error. `timeout` was read as `openTimeoutMs` (it holds "timeout"), but opossum's is
 * a per-call timeout, which this breaker does not have: a closed call is never timed out by it.
 */
const PEER_HINTS: Readonly<Record<string, MessageParts>> = {
  volumeThreshold: ['`: did you mean `', 'window.minimumCalls', '`?'],
  errorThresholdPercentage: [
    '`: did you mean `',
    'window.failureRateThreshold',
    '` (a fraction: 0.5 for 50%)?',
  ],
  timeout: [
    '`: the breaker times out no closed call; time out `fn` itself (`AbortSignal.any([signal, AbortSignal.timeout(ms)])`). `',
    'probeTimeoutMs',
    '` times out half-open probes',
  ],
};

/** Throws the unknown-key `TypeError` for a key of {@link PEER_HINTS} that `options` holds. */
export function refusePeerKeys(options: object): void {
  for (const key in PEER_HINTS) {
    if (Object.hasOwn(options, key))
      throw optionError([UNKNOWN_KEY_LEAD, key, ...PEER_HINTS[key]!]);
  }
}
