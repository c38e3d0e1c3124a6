import { SECRET_HEADER } from '@x/internal';

/**
 * What a 401 or 403 message adds to the server's text: whether a key was sent and where it came
 * from, and where to set one. A server's `Incorrect API key` or bare `401` says neither, and the
 * user cannot see which of `apiKey`, the preset's variable or a key callback was used. Names of
 * options and variables only: never the key, nor a header's value.
 */
export interface KeySources {
  /** The `apiKey` option was given. */
  option: boolean;
  /** The variable the key was read from (`apiKey` left out), if it was. */
  fromEnv: string | undefined;
  /** A `getApiKey()` callback is set. */
  callback: boolean;
  /** The preset's key variable (`OPENAI_API_KEY`, `GROQ_API_KEY`...), if it has one. */
  apiKeyEnv: string | undefined;
  /** A header of the `headers` option that carries a credential (`authorization`...), if any. */
  header: string | undefined;
}

/**
 * The `headers` option's header that carries a key (`authHeader`'s name included), if any: a
 * header the provider treats as secret (`SECRET_HEADER`, as the audit trail's credential source).
 */
export function keyHeaderOf(headers: unknown, authHeader: string | undefined): string | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  const names = Object.keys(headers).map((name) => name.toLowerCase());
  return names.find((name) => SECRET_HEADER.test(name) || name === authHeader);
}

/**
 * The sentence a 401 or 403 message ends with, for the key `sources` say was (or was not) sent:
 * it names `apiKey` and the preset's variable, so the user knows which one to fix.
 */
export function refusedKeyHint(sources: KeySources, statusCode: number): string {
  const env = sources.apiKeyEnv;
  const orEnv = env === undefined ? '' : ` or the ${env} environment variable`;
  const check = `check it${statusCode === 403 ? ', and that it may use this model and endpoint' : ''}`;
  let from: string | undefined;
  if (sources.fromEnv !== undefined) from = `${sources.fromEnv}, read as \`apiKey\` was left out`;
  else if (sources.option) {
    from = `the \`apiKey\` option${env === undefined ? '' : `; ${env} is read only without it`}`;
  }
  if (sources.callback) {
    return from === undefined
      ? `A key was sent only if \`getApiKey()\` returned one (there is no \`apiKey\`${orEnv}): ${check}.`
      : `A key was sent (\`getApiKey()\`'s, or when it returned none ${from}): ${check}.`;
  }
  if (from !== undefined) return `A key was sent (${from}): ${check}.`;
  if (sources.header !== undefined) {
    return `No \`apiKey\` is set; the \`headers\` option's \`${sources.header}\` was sent: ${check}, or set \`apiKey\`${orEnv}.`;
  }
  return `No key was sent: set \`apiKey\`${orEnv}.`;
}
