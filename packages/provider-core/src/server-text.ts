/**
 * The most of a server's error text an error keeps (`serverMessage`, and the message quoting it).
 * A server's text is not bounded by anything else: an Ollama stream's `{"error"}` line may be as
 * long as a line may be (`maxLineBytes`, 16 MiB by default), and every error's text is copied into
 * events, logs, stats and spans, and searched for echoes of the request (`scrub-echoes.ts`).
 */
export const SERVER_TEXT_MAX = 500;

/** `text` cut to 500 characters (`SERVER_TEXT_MAX`): redact it first, so no secret is split. */
export function cutServerText(text: string): string {
  return text.length > SERVER_TEXT_MAX ? text.slice(0, SERVER_TEXT_MAX) : text;
}

/**
 * How much of a server's error text is redacted before the cut: redaction reads every character
 * and decodes escapes twice (an 8 MB line of escapes takes seconds), while only the first
 * {@link SERVER_TEXT_MAX} characters are kept. 64 Ki characters leave room past the cut for any
 * form of a secret that starts before it (a 2.5 KB key is ~7.5 KB percent-encoded), so no secret
 * that reaches the kept text is split where the redactor reads.
 */
const SERVER_TEXT_REDACTED = 64 * 1024;

/**
 * A server's text as an error keeps it: its first 64 Ki characters redacted with `redact`, then
 * cut to `keep` characters (500, `SERVER_TEXT_MAX`, for its error text; less for an excerpt of
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
  return redacted.length > keep ? redacted.slice(0, keep) : redacted;
}

/**
 * The start of what a server sent instead of an answer (a line that is not JSON, a web page), for
 * a message: trimmed, redacted as {@link redactedServerText} does, cut to 80 characters.
 */
export function serverExcerpt(text: string, redact: (text: string) => string): string {
  return redactedServerText(text.trim(), redact, 80);
}
