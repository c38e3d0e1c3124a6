// What a redirect answer says: never followed, so its message names where it points and what to
// set as `baseUrl`, with every credential it might carry taken out.
import { redactUrlCredentials } from '@x/internal';
import { SECRET_HEADER } from '../options';
import type { HttpFailure } from './failures';

/**
 * The server message of a redirect, which is never followed: where it points, for the user to
 * set as `baseUrl`, without a password in its userinfo or the value of a query parameter that
 * holds a credential (`?api_key=`, a signed URL's signature), besides every known secret.
 */
export function redirectMessage(failure: HttpFailure): string {
  const location = redactUrlCredentials(failure.redact(failure.location ?? '(no location)'));
  const safe = location.replace(
    /([?&;])([^=&#;]*)=([^&#;]*)/g,
    (whole, sep: string, name: string) =>
      SECRET_HEADER.test(name) ? `${sep}${name}=[redacted]` : whole,
  );
  return `redirected to ${safe}; ${redirectAdvice(safe, failure)}`;
}

/**
 * What to set as `baseUrl` for a redirect: a Location that ends in the request's endpoint (an API
 * moved, `http://` to `https://`) names its base, the address without the endpoint (`baseUrl`
 * refuses one that ends in an endpoint); one that does not (a login page, a relative path of a
 * proxy) is no API address to copy.
 */
function redirectAdvice(location: string, failure: HttpFailure): string {
  const requested = failure.request.slice(failure.request.indexOf(' ') + 1);
  let target: URL;
  try {
    target = new URL(location, requested);
  } catch {
    return 'not followed: set baseUrl to the address the API answers at';
  }
  const path = target.pathname;
  // A Location back to the address asked (a loop, or a proxy sending every request to itself):
  // its base is the baseUrl already set, so naming it would only send the user round in circles.
  if (sameAddress(target, requested)) {
    return 'the address asked (a redirect loop, or a proxy in front of the API): not followed, check what answers at baseUrl';
  }
  if (target.origin === 'null' || !path.endsWith(failure.endpoint)) {
    return 'not followed: set baseUrl to the address the API answers at';
  }
  return `use ${target.origin}${path.slice(0, path.length - failure.endpoint.length)} as baseUrl`;
}

/** True when `target` is `requested` but for its query and fragment. */
function sameAddress(target: URL, requested: string): boolean {
  try {
    const asked = new URL(requested);
    return target.origin === asked.origin && target.pathname === asked.pathname;
  } catch {
    return false;
  }
}
