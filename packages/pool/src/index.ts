export {
  isPoolClosedError,
  isPoolDnsError,
  isPoolError,
  isPoolRedirectError,
  isPoolTimeoutError,
  PoolClosedError,
  PoolDnsError,
  PoolRedirectError,
  PoolTimeoutError,
} from './errors';
export type {
  DnsLookupOutcome,
  PoolConnectEvent,
  PoolDisconnectEvent,
  PoolDisconnectReason,
  PoolDnsEvent,
  PoolQueueTimeoutEvent,
} from './events';
export { getGlobalPool, setGlobalPool } from './global';
export type { PoolLogger, PoolLogMethod } from './log';
export type { PoolOptions, ResolvedAddress, Resolver } from './options';
export type {
  Pool,
  PoolFetchInit,
  PoolFetchInput,
  PoolFetchResponse,
  PoolRequestOptions,
  PoolResponseData,
} from './pool';
export { createPool } from './pool';
export type { DnsStats, OriginStats, PoolStats } from './stats';
