import { redactOnce } from '@x/provider-core';
import type { UrlCitation } from '../types';
import { type Json, num, obj, str } from './chat-fields';

/**
 * The most citations an answer keeps, and the most entries of one list read: a server sending a
 * huge list (or a growing one on every event) holds no more than this.
 */
const MAX_CITATIONS = 256;
/** The longest URL kept ({@link linkable}). */
const MAX_URL = 2048;
/**
 * A URL worth keeping: http(s), of at most {@link MAX_URL} characters. A longer one is dropped
 * (cut, it would point elsewhere), and so is any other scheme: an app renders citations as links,
 * and a `javascript:` or `data:` one from a hostile server would run in its page when clicked.
 */
function linkable(url: string): boolean {
  return url.length <= MAX_URL && /^https?:\/\/[^/?#\s]/i.test(url);
}
/** Titles and snippets are cut to this many characters. */
const MAX_TEXT = 1024;
/** Dates are cut to this many characters (Perplexity writes `2025-10-02`). */
const MAX_DATE = 64;

/**
 * The web pages an answer cites, in the order they came, each once: a server repeating one (or the
 * whole list) adds nothing. Two wires:
 *
 * - OpenAI's `url_citation` annotations (`message.annotations`, or `delta.annotations` in a
 *   stream, with the text they cite or in an event of their own); an annotation of another type,
 *   or without a URL, is skipped;
 * - Perplexity's top-level `citations` (URLs) and `search_results` (`{ title, url, date,
 *   last_updated, snippet }`), which the text cites as `[1]`, `[2]`: on the whole answer, on every
 *   event of a stream (its default `stream_mode: 'full'`) or on its last (`concise`). Each
 *   becomes a citation without indexes, its `ref` the number the text uses: its position in
 *   `citations`, its details from the search result of the same URL (or, without `citations`,
 *   its position in `search_results`).
 *
 * The server words them, not the model: a hostile one (or a proxy echoing headers) may put the
 * request's key in a URL or a title, and a stream hands each citation to the caller, and a shared
 * cache's record, before the answer's own scrub. So each citation's texts are scrubbed with the
 * call's redactor as it is first kept (`redactOnce`: they are new with each answer), once: a list
 * repeated on every event is told apart by what the server sent. They are kept on the response
 * only (never in events, logs or metrics), bounded: {@link MAX_CITATIONS} and the caps above.
 */
export class Citations {
  /** Every citation so far; `undefined` before the first. */
  list: UrlCitation[] | undefined;
  #seen: Set<string> | undefined;
  readonly #redact: (text: string) => string;

  constructor(redact: (text: string) => string) {
    this.#redact = redact;
  }

  /**
   * Reads an `annotations` array; returns the citations it adds (after those of `added`, when
   * given), or `undefined` for none.
   */
  add(raw: unknown, added?: UrlCitation[]): UrlCitation[] | undefined {
    if (!Array.isArray(raw)) return added;
    const end = Math.min(raw.length, MAX_CITATIONS);
    for (let i = 0; i < end; i++) {
      const citation = readAnnotation(obj(raw[i]));
      if (citation !== undefined) added = this.#keep(JSON.stringify(citation), citation, added);
    }
    return added;
  }

  /** Reads Perplexity's `citations` and `search_results` of an answer or an event, as {@link add}. */
  addSources(answer: Json, added?: UrlCitation[]): UrlCitation[] | undefined {
    const urls = answer.citations;
    const results = answer.search_results;
    if (Array.isArray(urls) && urls.length > 0) {
      // Built only for a source not seen yet: a stream repeats the same lists on every event.
      let details: Map<string, Json> | undefined;
      const end = Math.min(urls.length, MAX_CITATIONS);
      for (let i = 0; i < end; i++) {
        const url = str(urls[i]);
        if (url === undefined || this.#seen?.has(`${i + 1} ${url}`) === true) continue;
        details ??= byUrl(results);
        added = this.#source(url, details.get(url), i + 1, added);
      }
    } else if (Array.isArray(results)) {
      const end = Math.min(results.length, MAX_CITATIONS);
      for (let i = 0; i < end; i++) {
        const result = obj(results[i]);
        const url = str(result?.url);
        if (url !== undefined) added = this.#source(url, result, i + 1, added);
      }
    }
    return added;
  }

  /** One of Perplexity's sources; the same URL under the same number is the same source. */
  #source(
    url: string,
    result: Json | undefined,
    ref: number,
    added: UrlCitation[] | undefined,
  ): UrlCitation[] | undefined {
    if (!linkable(url)) return added;
    const key = `${ref} ${url}`;
    if (this.#seen?.has(key) === true) return added;
    const citation: UrlCitation = {
      type: 'url_citation',
      url,
      title: cut(result?.title, MAX_TEXT) ?? '',
      startIndex: undefined,
      endIndex: undefined,
      ref,
    };
    const date = cut(result?.date, MAX_DATE);
    if (date !== undefined) citation.date = date;
    const lastUpdated = cut(result?.last_updated, MAX_DATE);
    if (lastUpdated !== undefined) citation.lastUpdated = lastUpdated;
    const snippet = cut(result?.snippet, MAX_TEXT);
    if (snippet !== undefined && snippet.length > 0) citation.snippet = snippet;
    return this.#keep(key, citation, added);
  }

  #keep(key: string, citation: UrlCitation, added: UrlCitation[] | undefined) {
    this.#seen ??= new Set();
    if (this.#seen.has(key) || (this.list?.length ?? 0) >= MAX_CITATIONS) return added;
    this.#seen.add(key);
    this.#scrub(citation);
    (added ??= []).push(citation);
    (this.list ??= []).push(citation);
    return added;
  }

  /** `citation`'s server-worded texts scrubbed of secrets, in place (a clean one left as it is). */
  #scrub(citation: UrlCitation): void {
    const redact = this.#redact;
    citation.url = redactOnce(redact, citation.url);
    if (citation.title !== '') citation.title = redactOnce(redact, citation.title);
    if (citation.snippet !== undefined) citation.snippet = redactOnce(redact, citation.snippet);
    if (citation.date !== undefined) citation.date = redactOnce(redact, citation.date);
    if (citation.lastUpdated !== undefined) {
      citation.lastUpdated = redactOnce(redact, citation.lastUpdated);
    }
  }
}

/** The search results of `raw` by URL (the first of each). */
function byUrl(raw: unknown): Map<string, Json> {
  const found = new Map<string, Json>();
  if (!Array.isArray(raw)) return found;
  const end = Math.min(raw.length, MAX_CITATIONS);
  for (let i = 0; i < end; i++) {
    const result = obj(raw[i]);
    const url = str(result?.url);
    if (url !== undefined && !found.has(url)) found.set(url, result!);
  }
  return found;
}

/** `value` when it is a string, cut to `max` characters. */
const cut = (value: unknown, max: number): string | undefined =>
  typeof value === 'string' ? value.slice(0, max) : undefined;

/** `{ type: 'url_citation', url_citation: { url, title, start_index, end_index } }`, flattened. */
function readAnnotation(annotation: Json | undefined): UrlCitation | undefined {
  if (annotation?.type !== 'url_citation') return undefined;
  const cited = obj(annotation.url_citation);
  const url = str(cited?.url);
  if (url === undefined || !linkable(url)) return undefined;
  return {
    type: 'url_citation',
    url,
    title: cut(cited!.title, MAX_TEXT) ?? '',
    startIndex: num(cited!.start_index),
    endIndex: num(cited!.end_index),
  };
}
