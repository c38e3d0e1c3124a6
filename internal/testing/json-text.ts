/**
 * What JSON writes differently from the text itself: quotes, backslashes, control characters, a
 * lone surrogate, non-ASCII, and the HTML characters Go's encoder escapes (`<`, `>`, `&`).
 */
const ALPHABET = [
  'a',
  ' ',
  '"',
  '\\',
  '\n',
  '\t',
  '\u0000',
  '\u001f',
  'é',
  '😀',
  '<',
  '&',
  '/',
  '\ud800',
];

/**
 * A random text of up to `maxLength` pieces of {@link ALPHABET}, for a JSON reader's tests;
 * `random` is a seeded generator (`createRandom`).
 */
export function jsonHostileText(random: () => number, maxLength = 12): string {
  let text = '';
  const length = Math.floor(random() * (maxLength + 1));
  for (let i = 0; i < length; i++) text += ALPHABET[Math.floor(random() * ALPHABET.length)];
  return text;
}
