import type { Framing } from '../decode/decoder';

/**
 * What a 200 answer's content type says it is, before its body is read: one reading for every
 * path (the stream reader, the buffered reader, whole reads and health probes).
 */

/** The media type of a content type, lower-cased, without its parameters (`; charset=utf-8`). */
function mediaType(contentType: string): string {
  const end = contentType.indexOf(';');
  return (end === -1 ? contentType : contentType.slice(0, end)).trim().toLowerCase();
}

/**
 * True for a web page's content type (`text/html; charset=utf-8`...): never a model API's answer,
 * but a `baseUrl` pointing at a web UI or a proxy's login page.
 */
export function isWebPage(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  // A server answers the same content type every time: its verdict is kept, not read again
  // (a slice, a trim and a lower-casing of every answer's header).
  if (contentType === lastType) return lastWasPage;
  const type = mediaType(contentType);
  const page = type === 'text/html' || type === 'application/xhtml+xml';
  lastType = contentType;
  lastWasPage = page;
  return page;
}

/** The content type {@link isWebPage} read last, and what it found. */
let lastType: string | undefined;
let lastWasPage = false;

/**
 * How an answer asked as a stream of `framing` is read: `page`, a web page (an error naming it);
 * `document`, one JSON document where SSE was asked (`application/json`, `...+json`: a server
 * that ignored `stream`, an error body sent with a 200), read whole so it parses or fails as the
 * accumulator's invalid answer; `stream` otherwise. NDJSON and every other type (`text/event-stream`
 * with parameters, `text/plain` from proxies, none) are read as events, as the official OpenAI
 * client reads them.
 */
export function answerShape(
  contentType: string | undefined,
  framing: Framing,
): 'page' | 'document' | 'stream' {
  if (contentType === undefined) return 'stream';
  if (isWebPage(contentType)) return 'page';
  if (framing !== 'sse') return 'stream';
  const type = mediaType(contentType);
  return type === 'application/json' || type.endsWith('+json') ? 'document' : 'stream';
}
