/**
 * What `JSON.stringify(error)` shows of an error of ours: its `name` and `message` (which an
 * `Error` keeps out of JSON: `message` is not enumerable, `name` often sits on the prototype) and
 * its own enumerable fields (`code` and the rest). Not `stack` (not enumerable, and a log has its
 * own place for it) and not `cause`: a cause may be another library's error, whose JSON we do not
 * control and which may quote a request or a password.
 *
 * The return type is built from `Omit` alone, and each class writes it out as
 * `Omit<this, 'cause' | 'stack' | 'toJSON'>`: the packages' declarations do not inline a type of
 * this private package (a named one here would leave `import ... from '@x/internal'` in a `dist`).
 */
export function errorJSON<E extends Error>(error: E): Omit<E, 'cause' | 'stack' | 'toJSON'> {
  const json: Record<string, unknown> = { name: error.name, message: error.message };
  for (const key of Object.keys(error)) {
    if (key !== 'cause') json[key] = (error as unknown as Record<string, unknown>)[key];
  }
  return json as Omit<E, 'cause' | 'stack' | 'toJSON'>;
}
