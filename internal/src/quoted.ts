/**
 * Characters JSON leaves raw that would still garble a message or a terminal: C1 controls, and
 * format characters such as the bidi overrides (U+202E turns the rest of a line around) and
 * zero-width ones, plus the line and paragraph separators.
 */
const UNSEEN = /[\u007f-\u009f\p{Cf}\u2028\u2029]/gu;

/**
 * `text` in double quotes as JSON writes it (`"a\u0000b"`: controls and lone surrogates escaped),
 * and with what JSON leaves raw but a reader cannot see escaped too (`"gpt\u202e4o"`), for user
 * text (a model name, a value) put into an error message.
 */
export function quoted(text: string): string {
  return JSON.stringify(text).replace(UNSEEN, (c) => {
    const code = (c.codePointAt(0) as number).toString(16);
    return code.length > 4 ? `\\u{${code}}` : `\\u${code.padStart(4, '0')}`;
  });
}
