import { isBlank, keyScheme, raceAbort, typeName } from '@x/internal';
import type { ErrorKit } from './error-kit';
import type { ProviderError } from './errors';
import { headerChars, isFieldValue, MAX_HEADER_CHARS } from './options';
import type { Redactor } from './secrets';
import { type ThrownLabel, thrownLabel } from './thrown-label';

/** How a provider sends its key (`Authorization: Bearer <key>`, `x-api-key: <key>`...). */
export type AuthHeaders = (key: string) => Record<string, string>;

/** A key callback: called before each request for a fresh key. */
export type GetApiKey = () => string | undefined | Promise<string | undefined>;

/** Where a provider's credential comes from, as the audit trail names it. */
export type CredentialSource = 'apiKey' | 'getApiKey' | 'env' | 'headers';

/**
 * How fetching a credential went: a key, nothing (the callback returned none), a failure, or a
 * `getApiKey()` wait that ended before its key: its deadline (`timeouts.firstTokenMs`, or
 * `totalMs`), `close()` or `destroy()`, or the caller's abort.
 */
export type CredentialOutcome = 'ok' | 'empty' | 'failed' | 'timeout' | 'closed' | 'aborted';

/** The headers of one request, and the key it carried (for its redaction). */
export interface RequestHeaders {
  headers: Record<string, string>;
  key: string | undefined;
}

/**
 * Builds request headers: content type, accept, `accept-encoding: identity`, the user's extra
 * headers and the credential.
 * Without a key callback the headers are the same for every request and built once per `accept`
 * (no allocation per call); with one, the key is fetched per call under a signal that ends the
 * wait (the call's, `close()` and the first-token deadline: `pipeline/key-wait.ts`), so a callback
 * that never settles cannot hold a call.
 */
export class Credentials {
  readonly #kit: ErrorKit;
  readonly #extra: Record<string, string>;
  readonly #apiKey: string | undefined;
  readonly #getApiKey: GetApiKey | undefined;
  readonly #auth: AuthHeaders;
  readonly #redactor: Redactor;
  readonly #static = new Map<string, RequestHeaders>();
  readonly #source: CredentialSource | undefined;
  readonly #onFetched: ((source: CredentialSource, outcome: CredentialOutcome) => void) | undefined;
  /** The longest key a callback may return: what `headers` leave of {@link MAX_HEADER_CHARS}. */
  readonly #keyRoom: number;
  /** The provider writes a scheme before the key (`Bearer <key>`): a callback's must come alone. */
  readonly #writesScheme: boolean;
  #announced = false;

  constructor(init: {
    /** Raises the error of a key callback that failed. */
    kit: ErrorKit;
    headers: Record<string, string>;
    apiKey: string | undefined;
    getApiKey: GetApiKey | undefined;
    auth: AuthHeaders;
    redactor: Redactor;
    /** Where the fixed credential (`apiKey`, or a key header) comes from; none without one. */
    source?: CredentialSource | undefined;
    /** Told when a credential is read: the fixed one once, a callback's on each call. */
    onFetched?: ((source: CredentialSource, outcome: CredentialOutcome) => void) | undefined;
  }) {
    this.#kit = init.kit;
    this.#extra = init.headers;
    this.#apiKey = init.apiKey;
    this.#getApiKey = init.getApiKey;
    this.#auth = init.auth;
    this.#redactor = init.redactor;
    this.#source = init.source;
    this.#onFetched = init.onFetched;
    this.#writesScheme = init.getApiKey !== undefined && !sendsKeyAsWritten(init.auth);
    this.#keyRoom = MAX_HEADER_CHARS - headerChars(init.headers);
  }

  /** True when headers need no await (no key callback). */
  get static(): boolean {
    return this.#getApiKey === undefined;
  }

  /** Headers without a key callback (call only when {@link static}). */
  fixed(accept: string): RequestHeaders {
    let entry = this.#static.get(accept);
    if (!this.#announced) {
      this.#announced = true;
      if (this.#source !== undefined) this.#onFetched?.(this.#source, 'ok');
    }
    if (entry === undefined) {
      entry = { headers: this.#build(accept, this.#apiKey), key: this.#apiKey };
      this.#static.set(accept, entry);
    }
    return entry;
  }

  /**
   * Headers for one request; the key callback runs under `signal`. A callback that throws, or
   * hands back something that is not a key, ends the call with the provider's `CredentialsError`
   * before anything is sent: its message names what went wrong, never the callback's own text,
   * which may quote the key or the vault's token. A blank key, or one written with its scheme
   * (`Bearer sk-...`, as a vault may store a whole header value) when the provider writes the
   * scheme itself, is refused the same way: sent, it would 401 every call, as `Authorization:
   * Bearer Bearer sk-...`. The providers refuse such an `apiKey` at construction.
   */
  async fresh(accept: string, signal: AbortSignal | undefined): Promise<RequestHeaders> {
    const getApiKey = this.#getApiKey;
    if (getApiKey === undefined) return this.fixed(accept);
    // A call that ended before its key was asked for (`close()` while it waited for its slot)
    // does not ask: the vault is not called for a key nothing will send.
    if (signal?.aborted) throw signal.reason;
    // The callback may never settle: the signal still ends the wait. What it hands back after
    // that is dropped unread (`raceAbort` handles a late rejection): never sent, never remembered.
    let fresh: unknown;
    try {
      fresh = await raceAbort(Promise.resolve().then(getApiKey), signal);
    } catch (error) {
      // The call's own abort is not the callback's failure.
      if (signal?.aborted) throw error;
      const label = thrownLabel(error);
      const shown = label.code === undefined ? label.name : `${label.name}, ${label.code}`;
      throw this.#refuse(`failed (${shown})`, label);
    }
    if (fresh !== undefined && typeof fresh !== 'string') {
      throw this.#refuse(`returned ${typeName(fresh)}, not a string or undefined`, undefined);
    }
    // Checked before its characters are read one by one; its length is not shown either.
    if (fresh !== undefined && fresh.length > this.#keyRoom) {
      throw this.#refuse(
        `returned a key too long to send: with \`headers\`, over the ${MAX_HEADER_CHARS} characters of request headers servers and proxies take`,
        undefined,
      );
    }
    if (fresh !== undefined && !isFieldValue(fresh)) {
      throw this.#refuse(
        `returned a key that cannot be sent in an HTTP header (it holds CR, LF, NUL, another control character or a character above U+00FF)`,
        undefined,
      );
    }
    // An empty string is no key, as `undefined` is: the configured one, if any, goes instead.
    if (fresh) {
      if (isBlank(fresh)) throw this.#refuse('returned a blank key', undefined);
      const scheme = this.#writesScheme ? keyScheme(fresh) : undefined;
      if (scheme !== undefined) {
        throw this.#refuse(
          `returned a key with "${scheme} " in front, which the provider writes itself (return the key alone)`,
          undefined,
        );
      }
    }
    const key = fresh || this.#apiKey;
    this.#onFetched?.('getApiKey', fresh ? 'ok' : 'empty');
    if (fresh) this.#redactor.remember(fresh);
    return { headers: this.#build(accept, key), key };
  }

  #refuse(what: string, cause: ThrownLabel | undefined): ProviderError {
    this.#onFetched?.('getApiKey', 'failed');
    return this.#kit.credentials({
      message: `getApiKey() ${what}: nothing was sent to ${this.#kit.origin.label}`,
      // Only the name and code: the thrown error's message and stack may quote the key.
      cause: cause === undefined ? undefined : Object.freeze(cause),
    });
  }

  #build(accept: string, key: string | undefined): Record<string, string> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept,
      // No Accept-Encoding means any coding will do (RFC 9110), and neither reader decodes one:
      // an encoded answer is refused at its headers (`http/exchange.ts`). The user's `headers`
      // still win, as for the two above (a custom transport may decode, and drop the header).
      'accept-encoding': 'identity',
      ...this.#extra,
    };
    if (key !== undefined) Object.assign(headers, this.#auth(key));
    return headers;
  }
}

/**
 * Whether a provider sends a key as written: a header whose value is the key alone
 * (`authHeader: 'api-key'` of `@x/provider-openai`), where a scheme is the user's to choose, as
 * opposed to one it writes a scheme into (`Authorization: Bearer <key>`). Read from what `auth`
 * makes of a stand-in key, since that is all a provider tells the core of how it sends one.
 */
function sendsKeyAsWritten(auth: AuthHeaders): boolean {
  const probe = 'key-as-written-probe';
  return Object.values(auth(probe)).includes(probe);
}
