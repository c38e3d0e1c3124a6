import { escapeUnseen, quoted } from '@x/internal';

/**
 * The most of a server's error text an error keeps (`serverMessage`, and the message quoting it).
 * A server's text is not bounded by anything else: an Ollama stream's `{"error"}` line may be as
 * long as a line may be (`maxLineBytes`, 16 MiB by default), and every error's text is copied into
 * events, logs, stats and spans, and searched for echoes of the request (`scrub-echoes.ts`).
 */
export const SERVER_TEXT_MAX = 500;

/**
 * `text` as a message may show it, cut to 500 characters (`SERVER_TEXT_MAX`): redact it first, so
 * no secret is split. What a reader cannot see is escaped, and no surrogate pair is split.
 */
export function cutServerText(text: string): string {
  return shownServerText(text, SERVER_TEXT_MAX);
}

/**
 * `text` with what a reader cannot see escaped (`escapeUnseen`: a server's `\r\n` would start a
 * forged line in a log, `ESC [` recolour a terminal, U+202E turn a line around; a joiner between
 * two visible characters kept), then cut to `keep` characters where no surrogate pair is split (a
 * lone half would be a character no UTF-8 writer keeps). Escaping again changes nothing, so text already shown can pass through again.
 */
function shownServerText(text: string, keep: number): string {
  // Escapes only lengthen: the first `keep` characters (and the one after, to tell a pair the cut
  // would split) are all that can be kept.
  const head = text.length > keep + 1 ? text.slice(0, keep + 1) : text;
  // A joiner between visible characters stays (Persian words, emoji sequences read as noise
  // escaped); alone it forges nothing.
  const shown = escapeUnseen(head, { keepJoiners: true });
  if (shown.length <= keep) return shown;
  const end = isHighSurrogate(shown.charCodeAt(keep - 1)) ? keep - 1 : keep;
  // An escape the cut would split goes whole: a `\u0` left at the end reads as the server's text.
  // A joiner the cut parted from the character it joined is dropped too (escaped, the same text
  // shown again would read otherwise).
  return shown.slice(0, end).replace(SPLIT_END, '');
}

/**
 * The end of a text cut inside an `escapeUnseen` escape (its start, from its backslash alone to
 * all but its last digit), or after a joiner (ZWJ, ZWNJ) kept raw, or both.
 */
const SPLIT_END = /[\u200c\u200d]?(?:\\(?:u(?:\{[0-9a-f]*|[0-9a-f]{0,3}))?)?$/;

const isHighSurrogate = (unit: number): boolean => unit >= 0xd800 && unit <= 0xdbff;

/**
 * How much of a server's error text is redacted before the cut: redaction reads every character
 * and decodes escapes twice (an 8 MB line of escapes takes seconds), while only the first
 * {@link SERVER_TEXT_MAX} characters are kept. 64 Ki characters leave room past the cut for any
 * form of a secret that starts before it (a 2.5 KB key is ~7.5 KB percent-encoded), so no secret
 * that reaches the kept text is split where the redactor reads.
 */
const SERVER_TEXT_REDACTED = 64 * 1024;

/**
 * A server's text as an error keeps it: its first 64 Ki characters redacted with `redact`, what a
 * reader cannot see escaped, then cut to `keep` characters (500, `SERVER_TEXT_MAX`, for its error text; less for an excerpt of
 * what it sent instead of an answer).
 */
export function redactedServerText(
  text: string,
  redact: (text: string) => string,
  keep = SERVER_TEXT_MAX,
): string {
  const redacted = redact(
    text.length > SERVER_TEXT_REDACTED ? text.slice(0, SERVER_TEXT_REDACTED) : text,
  );
  return shownServerText(redacted, keep);
}

/**
 * The start of what a server sent instead of an answer (a line that is not JSON, a web page), for
 * a message: trimmed, redacted as {@link redactedServerText} does, cut to 80 characters.
 */
export function serverExcerpt(text: string, redact: (text: string) => string): string {
  return redactedServerText(text.trim(), redact, 80);
}

/**
 * What a message says of a web page answered where the API was asked (its first bytes, `text`):
 * its `<title>` (`its title: "404 Not Found"`), else the start of its text, never its markup;
 * redacted, cut to 80 characters. Lower case, for the message to place it.
 */
export function webPageGist(text: string, redact: (text: string) => string): string {
  const title = /<title[^>]*>([^<]*)</i.exec(text)?.[1]?.replace(/\s+/g, ' ').trim();
  if (title) return `its title: ${quoted(redact(title).slice(0, 80))}`;
  const whole = text.replace(/\s+/g, ' ').trim();
  if (whole === '') return 'its body is empty';
  // Redacted before the tags go: a key split by them is still found whole.
  const start = redact(whole).replace(MARKUP, ' ').replace(/\s+/g, ' ').trim();
  if (start) return `it starts: ${quoted(start.slice(0, 80))}`;
  return 'it has no title and no text';
}

/** A page's comments, scripts and styles, and its tags (one the kept bytes cut off included). */
const MARKUP = /<!--[\s\S]*?(?:-->|$)|<(script|style)\b[\s\S]*?(?:<\/\1\s*>|$)|<[^>]*(?:>|$)/gi;
