import type { UrlCitation } from '../types';
import { type Json, num, obj, str } from './chat-fields';

/**
 * The URL citations of an answer (`message.annotations`, or `delta.annotations` in a stream, where
 * a server sends them with the text they cite or in an event of their own), in the order they
 * came: each once, a server repeating one (or the whole list) adds nothing. An annotation of
 * another type, or without a URL, is not one and is skipped.
 */
export class Citations {
  /** Every citation so far; `undefined` before the first. */
  list: UrlCitation[] | undefined;
  #seen: Set<string> | undefined;

  /** Reads an `annotations` array; returns the citations it adds, or `undefined` for none. */
  add(raw: unknown): UrlCitation[] | undefined {
    if (!Array.isArray(raw) || raw.length === 0) return undefined;
    let added: UrlCitation[] | undefined;
    for (const item of raw) {
      const citation = readCitation(obj(item));
      if (citation === undefined) continue;
      const key = JSON.stringify(citation);
      this.#seen ??= new Set();
      if (this.#seen.has(key)) continue;
      this.#seen.add(key);
      (added ??= []).push(citation);
      (this.list ??= []).push(citation);
    }
    return added;
  }
}

/** `{ type: 'url_citation', url_citation: { url, title, start_index, end_index } }`, flattened. */
function readCitation(annotation: Json | undefined): UrlCitation | undefined {
  if (annotation?.type !== 'url_citation') return undefined;
  const cited = obj(annotation.url_citation);
  const url = str(cited?.url);
  if (url === undefined || url.length === 0) return undefined;
  return {
    type: 'url_citation',
    url,
    title: str(cited!.title) ?? '',
    startIndex: num(cited!.start_index),
    endIndex: num(cited!.end_index),
  };
}
