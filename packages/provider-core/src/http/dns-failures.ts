import { findCause } from './find-cause';

/**
 * What a failed name lookup means, for the connection error's message: the code a user sees
 * otherwise (`X_POOL_DNS`, the pool's) names neither the host nor the resolver's answer, which are
 * two causes down. `undefined` for a failure that is not a lookup's.
 */
export function dnsFailure(
  code: string | undefined,
  cause: unknown,
  origin: string,
): string | undefined {
  if (code !== 'X_POOL_DNS' && (code === undefined || !Object.hasOwn(RESOLVER_CODES, code)))
    return undefined;
  const resolver = resolverCode(cause) ?? (code === 'X_POOL_DNS' ? undefined : code);
  const host = URL.canParse(origin) ? new URL(origin).hostname : origin;
  const meaning = RESOLVER_CODES[resolver ?? ''] ?? 'does not resolve';
  return `the host name ${host} ${meaning}${resolver === undefined ? '' : ` (${resolver})`}; check baseUrl`;
}

/** The resolver's codes (`dns.lookup` and `dns.resolve*`), as a user would read them. */
const RESOLVER_CODES: Record<string, string> = {
  ENOTFOUND: 'does not resolve',
  ENODATA: 'has no address',
  EAI_NODATA: 'has no address',
  EAI_NONAME: 'does not resolve',
  EAI_AGAIN: 'could not be resolved for now (the DNS server did not answer)',
  EAI_FAIL: 'could not be resolved (the DNS server failed)',
  ESERVFAIL: 'could not be resolved (the DNS server failed)',
  ETIMEOUT: 'could not be resolved (the DNS server did not answer)',
  EREFUSED: 'could not be resolved (the DNS server refused the query)',
};

/** The first resolver code along `cause`'s chain (the pool wraps the resolver's error). */
function resolverCode(cause: unknown): string | undefined {
  return findCause(cause, ({ code }) =>
    typeof code === 'string' && Object.hasOwn(RESOLVER_CODES, code) ? code : undefined,
  );
}
