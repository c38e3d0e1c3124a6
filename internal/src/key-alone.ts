import { isBlank, REDACTED } from './args';
import { optionError } from './option-error';

/**
 * `Bearer ` or `Basic ` at the start, in any case, after any white space, and followed by any:
 * a no-break space (U+00A0) is what a key copied from a web page often carries.
 */
const SCHEME = /^\s*(bearer|basic)\s/i;

/**
 * The auth scheme written in front of a key (`Bearer sk-...`, `basic dXNl...`), as copied from a
 * curl line or another client's `Authorization` header; `undefined` for a key alone. A provider
 * that writes the scheme itself would send it twice (`Authorization: Bearer Bearer sk-...`), a
 * 401 on every call. No hosted API issues keys that start with one of these words and a space.
 */
export function keyScheme(key: string): 'Bearer' | 'Basic' | undefined {
  const word = SCHEME.exec(key)?.[1];
  if (word === undefined) return undefined;
  return word.toLowerCase() === 'bearer' ? 'Bearer' : 'Basic';
}

/**
 * Refuses a key (an option, or the environment variable it defaults to) that the provider would
 * send in a form no server accepts: blank, or, unless `raw` (the provider sends the key as
 * written, so a scheme there is the user's to choose), written with its scheme. A `RangeError`
 * naming `name` that shows the key as `[redacted]`: a key is a secret even when it is malformed.
 * `sentAs` says how the provider sends it (``it is sent as `Authorization: Bearer <key>` ``).
 */
export function expectKeyAlone(name: string, key: string, raw: boolean, sentAs: string): void {
  if (isBlank(key)) refuseKey(name, 'a non-empty string');
  if (raw) return;
  const scheme = keyScheme(key);
  if (scheme !== undefined) {
    refuseKey(name, `the key alone, without "${scheme} " in front (${sentAs})`);
  }
}

function refuseKey(name: string, what: string): never {
  throw optionError(['Expected `', name, `\` to be ${what}, got \`${REDACTED}\` (string)`], true);
}
