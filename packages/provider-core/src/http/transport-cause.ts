import { describe, hideSecretShapes, typeName } from '@x/internal';
import { thrownLabel } from '../thrown-label';

/** How many links of a `cause` chain are copied (a fetch's `TypeError` holds the reason in one). */
const CAUSES = 4;
/** How many errors of an `AggregateError` are copied (a host with several addresses refused). */
const ERRORS = 4;

/** A scrubbed copy of a thrown value: an `Error` with a `code`, and `errors` for an aggregate. */
export type TransportCause = Error & {
  code?: string | undefined;
  errors?: TransportCause[] | undefined;
};

/**
 * What an error of ours keeps as `cause` of what a transport threw or its body failed with: a
 * copy holding the name and code (when they read as a class name and a code, `thrownLabel`), the
 * message and stack scrubbed of every secret the call knows and of anything shaped like a
 * credential, and the same of its `cause` chain and of an `AggregateError`'s first `errors`;
 * nothing else. The thrown object itself never reaches the caller: HTTP clients hang the request
 * on their errors (axios and got: `config.headers.Authorization`), undici's parser errors hold the
 * server's bytes (`data`), and a server that echoes the request echoes its credentials. What is
 * kept is what debugging a transport needs: what failed, where (the stack), and why (the causes).
 * `code` replaces the code (the protocol code a 101 is reported under). Never throws.
 */
export function transportCause(
  thrown: unknown,
  redact: (text: string) => string,
  code?: string,
): TransportCause {
  return copyOf(thrown, redact, code, 1);
}

function copyOf(
  thrown: unknown,
  redact: (text: string) => string,
  code: string | undefined,
  depth: number,
): TransportCause {
  const label = thrownLabel(thrown);
  const message = read(thrown, 'message');
  const copy: TransportCause = new Error(
    scrub(typeof message === 'string' ? message : textOf(thrown), redact),
  );
  copy.name = label.name;
  const shownCode = code ?? label.code;
  if (shownCode !== undefined) copy.code = shownCode;
  const stack = read(thrown, 'stack');
  // Without a stack of its own, none: the frames of this copy would point here.
  copy.stack = typeof stack === 'string' ? scrub(stack, redact) : `${copy.name}: ${copy.message}`;
  if (depth < CAUSES) {
    const cause = read(thrown, 'cause');
    if (cause !== undefined) copy.cause = copyOf(cause, redact, undefined, depth + 1);
    const errors = read(thrown, 'errors');
    if (Array.isArray(errors) && errors.length > 0) {
      copy.errors = errors.slice(0, ERRORS).map((e) => copyOf(e, redact, undefined, depth + 1));
    }
  }
  return copy;
}

/** A property of a thrown value, or undefined when it has none or reading it throws. */
function read(thrown: unknown, key: 'message' | 'stack' | 'cause' | 'errors'): unknown {
  if (typeof thrown !== 'object' || thrown === null) return undefined;
  try {
    return (thrown as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

/** A thrown string as it is; another value as an argument error shows it. */
function textOf(thrown: unknown): string {
  if (typeof thrown === 'string') return thrown;
  try {
    return describe(thrown);
  } catch {
    return typeName(thrown);
  }
}

function scrub(text: string, redact: (text: string) => string): string {
  return hideSecretShapes(redact(text));
}
