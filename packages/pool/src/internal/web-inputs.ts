import { FormData as UndiciFormData, Request as UndiciRequest } from 'undici';

// Node's global `FormData` and `Request` are those of the undici Node bundles, another copy than
// the pool's undici 7, whose `fetch` and `request` know their own classes only: undici's `fetch`
// sent a global FormData as the text "[object FormData]" and read a global Request as the URL
// "[object Request]", and its `request` failed inside its body code ("action is not a function").
// Each is copied into the pool's undici's class, which sends it as Node's global `fetch` would.
// `undefined` where Node has no such global, or when they are the pool's own (a program that
// installed undici's globals): there is then nothing to copy.
const ForeignFormData = foreign(globalThis.FormData, UndiciFormData);
const ForeignRequest = foreign(globalThis.Request, UndiciRequest);

function foreign<T>(global: T | undefined, own: unknown): T | undefined {
  return typeof global === 'function' && global !== own ? global : undefined;
}

/** True for a `FormData` of Node's global class that is not the pool's undici's. */
export function isForeignFormData(body: unknown): body is FormData {
  return ForeignFormData !== undefined && body instanceof ForeignFormData;
}

/**
 * `body` as the pool's undici sends it: a global `FormData` copied entry by entry into undici's
 * (a file keeps its name), so it goes as `multipart/form-data` with its boundary; anything else
 * as it is.
 */
export function ownBody<T>(body: T): T {
  if (!isForeignFormData(body)) return body;
  const copy = new UndiciFormData();
  for (const [name, value] of body) {
    if (typeof value === 'string') copy.append(name, value);
    else copy.append(name, value, value.name);
  }
  return copy as T;
}

/**
 * `input` as the pool's undici reads it: a global `Request` rebuilt as undici's from its fields
 * (its body a stream both read, its signal followed), anything else as it is.
 */
export function ownInput<T>(input: T): T {
  if (ForeignRequest === undefined || !(input instanceof ForeignRequest)) return input;
  const request: Request = input;
  const { body } = request;
  const init: ConstructorParameters<typeof UndiciRequest>[1] & { duplex?: 'half' | undefined } = {
    method: request.method,
    headers: [...request.headers],
    body,
    redirect: request.redirect,
    signal: request.signal,
    keepalive: request.keepalive,
    integrity: request.integrity,
    referrer: request.referrer,
    referrerPolicy: request.referrerPolicy,
    mode: request.mode,
    credentials: request.credentials,
    cache: request.cache,
  };
  // A stream body is sent as it is read (the only way WHATWG fetch takes one).
  if (body !== null) init.duplex = 'half';
  return new UndiciRequest(request.url, init) as T;
}
