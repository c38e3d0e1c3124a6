import { quoted } from '@x/internal';
// The error of an answer that arrived but cannot be read as HTTP: the server was reached, so it is
// not a connection failure, and sending the request again could run a generation twice.
import { type ErrorOrigin, ProviderError } from './errors';
import type { PartialResponse } from './types';

/** What was wrong with an answer that is not valid HTTP, or not in the coding asked for. */
export interface ProtocolErrorInit {
  /** The origin that was called (never with credentials). */
  origin: string;
  /**
   * What was wrong: undici's code (`HPE_INVALID_HEADER_TOKEN`, `UND_ERR_HEADERS_OVERFLOW`...),
   * `UNEXPECTED_UPGRADE` or `UNEXPECTED_CONTINUE` for a 101 or 100 nobody asked for, or
   * `CONTENT_ENCODING` for a body in a coding the provider does not decode.
   */
  causeCode: string;
  /** The answer's `Content-Encoding` (secrets scrubbed, cut short), for `CONTENT_ENCODING`. */
  contentEncoding?: string | undefined;
  /**
   * True when the coding came in `Transfer-Encoding` (`gzip, chunked`), not `Content-Encoding`:
   * `contentEncoding` then holds that header's codings.
   */
  transferCoding?: boolean | undefined;
  /**
   * False when the request's own headers replaced `accept-encoding: identity` (the user's
   * `headers`): the message then points at them instead of at a proxy.
   */
  askedIdentity?: boolean | undefined;
  /**
   * What of the answer had arrived when its body broke HTTP's framing (a chunk size that is not
   * hex, a chunk longer than its size): set only for a failure in the body, never at the headers.
   */
  partial?: PartialResponse | undefined;
  /** undici's error, without the server's bytes it keeps (they may echo credentials). */
  cause?: unknown;
}

/**
 * The server answered with something that is not valid HTTP (another service on the port, a
 * proxy that mangles the answer: `causeCode` `HPE_*`, `UND_ERR_HEADERS_OVERFLOW`...), at its
 * headers or in the middle of its body (then with `partial`), or with a body in a
 * `Content-Encoding` other than identity although identity was asked for (`causeCode`
 * `CONTENT_ENCODING`, refused at its headers, its body unread). Never retried: the server
 * answered, maybe after it started generating. No byte of the answer is in the message.
 */
export class ProviderProtocolError extends ProviderError {
  declare readonly kind: 'protocol';
  /**
   * What was wrong with the answer: undici's code (`HPE_*`, `UND_ERR_HEADERS_OVERFLOW`...),
   * `UNEXPECTED_UPGRADE`, `UNEXPECTED_CONTINUE` or `CONTENT_ENCODING`.
   */
  readonly causeCode: string;
  /** The origin that was called (never with credentials). */
  readonly origin: string;
  /** The answer's `Content-Encoding` (secrets scrubbed), when that is what was wrong. */
  readonly contentEncoding: string | undefined;
  /**
   * What had arrived before the body broke HTTP's framing (as an incomplete stream carries it);
   * undefined when the answer was refused at its headers.
   */
  readonly partial: PartialResponse | undefined;

  constructor(init: ProtocolErrorInit & { from: ErrorOrigin }) {
    super(protocolMessage(init), {
      origin: init.from,
      kind: 'protocol',
      reason: 'PROTOCOL',
      retryable: false,
      cause: init.cause,
    });
    this.name = 'ProviderProtocolError';
    this.causeCode = init.causeCode;
    this.origin = init.origin;
    this.contentEncoding = init.contentEncoding;
    this.partial = init.partial;
  }
}

/** The interim answers undici refuses when nothing asked for them. */
const INTERIM: Record<string, string> = {
  UNEXPECTED_CONTINUE: 'a `100 Continue`',
  UNEXPECTED_UPGRADE: 'a `101 Switching Protocols`',
};

/** What happened and what to check, in the words of the failure. */
function protocolMessage(init: ProtocolErrorInit & { from: ErrorOrigin }): string {
  const at = `${init.from.label} at ${init.origin}`;
  const interim = INTERIM[init.causeCode];
  if (interim !== undefined) {
    // HTTP lets a server send these; undici, under every built-in transport, refuses them.
    return `${at} answered with ${interim} the request did not ask for (${init.causeCode}), which undici does not accept: is a proxy in between adding it?`;
  }
  if (init.partial !== undefined) {
    return `${at} answered with something that is not valid HTTP (${init.causeCode}) in the middle of its answer, after ${init.partial.chunks} chunk(s): is a proxy in between altering the answer?`;
  }
  if (init.contentEncoding === undefined) {
    return `${at} answered with something that is not valid HTTP (${init.causeCode}): is another service listening on that port, or a proxy in between altering the answer?`;
  }
  if (init.transferCoding === true) {
    // Only a request's TE header allows a coding there, and no request sends one.
    return `${at} answered with a body in Transfer-Encoding ${quoted(init.contentEncoding)} (${init.causeCode}), which the request did not ask for: is a proxy in between compressing answers? It must pass them on unencoded`;
  }
  const answered = `${at} answered with a body in Content-Encoding ${quoted(init.contentEncoding)} (${init.causeCode})`;
  return init.askedIdentity === false
    ? `${answered}, which the provider does not decode: the accept-encoding of your headers allows it; leave that header out`
    : `${answered}, though the request asked for identity: is a proxy in between compressing answers? It must pass them on unencoded`;
}
