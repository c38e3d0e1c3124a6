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
