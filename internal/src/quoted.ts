/**
 * Characters that would garble a message, a log line or a terminal: C0 controls (a `\r\n` starts
 * a forged log line, `ESC [` a terminal colour), DEL and C1 controls, format characters such as
 * the bidi overrides (U+202E turns the rest of a line around) and zero-width ones, the line and
 * paragraph separators, and lone surrogates (the `u` flag leaves a pair alone). JSON escapes the
 * C0 controls and lone surrogates itself; the others it leaves raw.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the controls are what it escapes
const UNSEEN = /[\u0000-\u001f\u007f-\u009f\p{Cf}\p{Cs}\u2028\u2029]/gu;

/** A zero-width non-joiner (U+200C) or joiner (U+200D) anywhere. */
const JOINER = /[\u200c\u200d]/;

/**
 * A joiner between two characters a reader sees (neither a control, a format character, a
 * separator, a surrogate half, nor unassigned), captured so that `split` keeps it.
 */
const JOINING = /(?<=[^\p{C}\p{Z}])([\u200c\u200d])(?=[^\p{C}\p{Z}])/u;

/** How {@link escapeUnseen} escapes. */
export interface EscapeUnseenOptions {
  /**
   * Keep a zero-width non-joiner (U+200C) or joiner (U+200D) between two visible characters as
   * it is: for prose (a server's text), where Persian writes `می‌خواهم` with one and an emoji
   * family (`👨‍👩‍👧`) is joined by them, and either escaped reads as noise. Alone they forge
   * nothing; one at either end of the text, beside a space or another invisible character, or in
   * a run is still escaped. Off for a name put into a message (`quoted`): there a joiner is one
   * more character that makes two names look the same.
   */
  keepJoiners?: boolean | undefined;
}

const escapeOne = (c: string): string => {
  const code = (c.codePointAt(0) as number).toString(16);
  return code.length > 4 ? `\\u{${code}}` : `\\u${code.padStart(4, '0')}`;
};

/**
 * `text` with each character a reader cannot see (controls, format characters, separators, lone
 * surrogates: `UNSEEN`) written as its escape (`\u001b`, `\u202e`, `\u{e0001}`), the rest as it
 * is: for text of someone else's (a server's error text) shown in a message or a log line, which
 * then stays one line that says what it holds. With `keepJoiners`, a joiner between two visible
 * characters stays as it is. Escaping again changes nothing, either way.
 */
export function escapeUnseen(text: string, options?: EscapeUnseenOptions): string {
  if (options?.keepJoiners !== true || !JOINER.test(text)) return text.replace(UNSEEN, escapeOne);
  // The kept joiners sit at the odd places of the split; what lies between them is escaped.
  const parts = text.split(JOINING);
  for (let i = 0; i < parts.length; i += 2) {
    parts[i] = (parts[i] as string).replace(UNSEEN, escapeOne);
  }
  return parts.join('');
}

/**
 * `text` in double quotes as JSON writes it (`"a\u0000b"`: controls and lone surrogates escaped),
 * and with what JSON leaves raw but a reader cannot see escaped too (`"gpt\u202e4o"`), for user
 * text (a model name, a value) put into an error message.
 */
export function quoted(text: string): string {
  return escapeUnseen(JSON.stringify(text));
}
