import type { Accumulator } from '../decode/accumulator';
import { readAttempt } from '../http/attempt';
import type { Runtime } from '../runtime';
import { scrubPromptEchoes } from '../scrub-echoes';
import { webPageGist } from '../server-text';
import { throughBreaker } from '../stages/breaker-gate';
import { EMPTY_PARTIAL } from '../types';
import { isWebPage } from './answer-type';
import { attemptInit, type CallRequest } from './call-request';
import { markWebPageAnswer } from './web-page-answer';

export { isWebPageAnswer } from './web-page-answer';

/** Bytes of a page kept for its error: enough for the `<title>` of most pages. */
const KEPT_BYTES = 2048;

/**
 * Thrown from a read's sink once enough of a page is kept: the exchange is cut at once (a page may
 * never end), and the attempt's breaker call, which drops it, settles as a success.
 */
export const PAGE_KEPT = new Error('enough of the web page was kept');

/** Lets {@link PAGE_KEPT} end a breaker call quietly; anything else is rethrown. */
export function droppingPageKept(error: unknown): void {
  if (error !== PAGE_KEPT) throw error;
}

/**
 * {@link droppingPageKept}, and what a failure quotes of the call's request (`echoed`) replaced
 * there, inside the breaker's call, before the breaker publishes the error (`scrubPromptEchoes`):
 * the run's rejection handler does both, so the breaker's gate adds no hop for it.
 */
export function droppingPageKeptOf(echoed: object | undefined): (error: unknown) => void {
  if (echoed === undefined) return droppingPageKept;
  return (error) => {
    scrubPromptEchoes(error, echoed);
    droppingPageKept(error);
  };
}

/**
 * A web page that answered 200 where the API's stream was asked for: a `baseUrl` pointing at a web
 * UI (Open WebUI) or a proxy's login page. Read as lines, it would end as "not JSON" or, with an
 * empty or JSON-looking body, as a stream cut short, which sends the user after the network.
 * Only its first bytes are kept, for the error; the rest is not read.
 */
export class WebPage {
  readonly #parts: Buffer[] = [];
  #size = 0;

  constructor(readonly contentType: string) {}

  /** Keeps the start of the page; true once enough is kept (reading can stop). */
  keep(chunk: Uint8Array): boolean {
    if (this.#size < KEPT_BYTES) {
      this.#parts.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      this.#size += chunk.byteLength;
    }
    return this.#size >= KEPT_BYTES;
  }

  /** The provider's stream error naming the content type and the page's title (or its start). */
  error(rt: Runtime, endpoint: string, accept: string, redact: (text: string) => string): unknown {
    const text = Buffer.concat(this.#parts).toString('utf8', 0, KEPT_BYTES);
    const gist = webPageGist(text, redact);
    const seen = `${gist[0]!.toUpperCase()}${gist.slice(1)}.`;
    const label = rt.identity.label;
    const error = rt.kit.stream({
      reason: 'invalid-json',
      message: `${label}'s ${endpoint} answered with a web page (${redact(this.contentType).slice(0, 80)}), not ${accept} as ${label} does: is baseUrl ${label}'s API address, not a web UI or a proxy's login page? ${seen}`,
      partial: EMPTY_PARTIAL,
    });
    return markWebPageAnswer(error);
  }
}

/**
 * One attempt's answer read whole through the breaker, at most `maxLineBytes` (a JSON answer, a
 * metadata call), within `timeouts.firstTokenMs` of the send: nothing of it arrives before its
 * end, so a server that never answers, or trickles bytes, cannot hold the call when no total
 * deadline is set. `read`, when given, takes the body inside the breaker's call: an answer it
 * cannot read (not JSON, an error body sent with a 200) then counts against the server, as an
 * unreadable streamed line does. A web page ends it with the page's error once the breaker call
 * has settled.
 */
export function readWhole(
  rt: Runtime,
  call: CallRequest,
  read?: (body: Buffer) => void,
  /** Told the answer's status: a success, or one of `call.answers`. */
  onStatus?: (statusCode: number) => void,
  /** The accumulator `read` feeds, told the answer's headers when it asks for them. */
  accumulator?: Accumulator<unknown, unknown>,
): Promise<Buffer> {
  const parts: Buffer[] = [];
  let page: WebPage | undefined;
  const body = () => (parts.length === 1 ? parts[0]! : Buffer.concat(parts));
  // Chained, not an `async` function: one fewer frame and promise on every buffered call.
  return throughBreaker(
    rt,
    call.callerSignal,
    (breakerSignal) =>
      readAttempt(
        attemptInit(rt, call, false, breakerSignal, true, accumulator),
        rt.maxBytes,
        (chunk) => {
          if (page?.keep(chunk) === true) throw PAGE_KEPT;
          if (page === undefined) parts.push(chunk);
          return false;
        },
        undefined,
        (contentType, statusCode) => {
          onStatus?.(statusCode);
          // An error status read as an answer says what it says, whatever its body looks like.
          if (statusCode < 300 && isWebPage(contentType)) page = new WebPage(contentType!);
        },
      ).then(() => {
        if (page === undefined) read?.(body());
      }, droppingPageKeptOf(call.echoed)),
    call.redact,
  ).then(() => {
    if (page !== undefined) throw page.error(rt, call.endpoint, 'application/json', call.redact);
    return body();
  });
}
