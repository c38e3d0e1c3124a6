// The kind of a provider error names its class: this map is what lets a guard, or a check of
// `kind`, hand the caller the fields of that class rather than only the base class's. Types only,
// so the classes' modules (which import `ProviderError` from `errors.ts`) form no import cycle.
import type { ProviderApiError } from './api-error';
import type { ProviderConnectionError } from './connection-error';
import type { ContextOverflowError } from './context-overflow-error';
import type { ProviderError, ProviderErrorKind } from './errors';
import type { ProviderProtocolError } from './protocol-error';
import type {
  CircuitOpenError,
  CredentialsError,
  LocalLimitError,
  ProviderClosedError,
} from './refusals';
import type { IncompleteStreamError, ProviderStreamError } from './stream-errors';
import type { ProviderTimeoutError } from './timeout-error';

/**
 * The class of each {@link ProviderErrorKind}: what `isProviderErrorOfKind(e, kind)` narrows to.
 * The three API kinds share {@link ProviderApiError}, each with its own `kind`.
 */
export interface ProviderErrorByKind {
  api: ProviderApiError & { readonly kind: 'api' };
  'model-not-found': ProviderApiError & { readonly kind: 'model-not-found' };
  'server-busy': ProviderApiError & { readonly kind: 'server-busy' };
  'context-overflow': ContextOverflowError;
  stream: ProviderStreamError;
  'incomplete-stream': IncompleteStreamError;
  timeout: ProviderTimeoutError;
  connection: ProviderConnectionError;
  protocol: ProviderProtocolError;
  closed: ProviderClosedError;
  'circuit-open': CircuitOpenError;
  'local-limit': LocalLimitError;
  credentials: CredentialsError;
}

/**
 * An error that reports the kind of others it gathers (`@x/router`'s `RouterError`: the kind of
 * the last deployment's failure) without that kind's class: the class's own fields are absent.
 */
export type GatheredProviderError<K extends ProviderErrorKind> = ProviderError & {
  readonly kind: K;
} & { readonly [F in Exclude<keyof ProviderErrorByKind[K], keyof ProviderError>]?: undefined };

/**
 * What `isProviderErrorOfKind(e, kind)` narrows to: that kind's class, or an error gathering
 * others of that kind. A field of the class reads as possibly `undefined` (a `RouterError` has
 * none of them); `e instanceof ProviderTimeoutError`, or a router's own guard first, makes it exact.
 */
export type ProviderErrorOfKind<K extends ProviderErrorKind> =
  | ProviderErrorByKind[K]
  | GatheredProviderError<K>;

/**
 * Every error of a provider call, as a union on `kind`: after `isProviderError(e)`,
 * `e.kind === 'timeout'` (or a `switch`) narrows to {@link ProviderErrorOfKind}, whose
 * `timeoutMs` reads as `number | undefined` (`undefined` for a `RouterError`, which reports the
 * kind of the last failure it gathered without that failure's fields: its `errors` hold them).
 */
export type AnyProviderError = {
  [K in ProviderErrorKind]: ProviderErrorOfKind<K>;
}[ProviderErrorKind];
