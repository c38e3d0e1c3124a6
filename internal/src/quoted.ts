/**
 * Characters that would garble a message, a log line or a terminal: C0 controls (a `\r\n` starts
 * a forged log line, `ESC [` a terminal colour), DEL and C1 controls, format characters such as
 * the bidi overrides (U+202E turns the rest of a line around) and zero-width ones, the line and
 * paragraph separators, and lone surrogates (the `u` flag leaves a pair alone). JSON escapes the
 * C0 controls and lone surrogates itself; the others it leaves raw.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the controls are what it escapes
const UNSEEN = /[\u0000-\u001f\u007f-\u009f\p{Cf}\p{Cs}\u2028\u2029]/gu;

/**
 * `text` with each character a reader cannot see (controls, format characters, separators, lone
 * surrogates: `UNSEEN`) written as its escape (`\u001b`, `\u202e`, `\u{e0001}`), the rest as it
 * is: for text of someone else's (a server's error text) shown in a message or a log line, which
 * then stays one line that says what it holds.
 */
export function escapeUnseen(text: string): string {
  return text.replace(UNSEEN, (c) => {
    const code = (c.codePointAt(0) as number).toString(16);
    return code.length > 4 ? `\\u{${code}}` : `\\u${code.padStart(4, '0')}`;
  });
}

/**
 * `text` in double quotes as JSON writes it (`"a\u0000b"`: controls and lone surrogates escaped),
 * and with what JSON leaves raw but a reader cannot see escaped too (`"gpt\u202e4o"`), for user
 * text (a model name, a value) put into an error message.
 */
export function quoted(text: string): string {
  return escapeUnseen(JSON.stringify(text));
}
