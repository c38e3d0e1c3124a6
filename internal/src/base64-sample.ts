/** Standard base64 as Go decodes it (line breaks skipped, `=` padding at the end). */
const BASE64 = /^[A-Za-z0-9+/\r\n]*$/;
const BASE64_END = /^[A-Za-z0-9+/\r\n]*={0,2}$/;
/** Characters checked at each end: a part may be megabytes, and this runs on every call. */
const SAMPLE = 64;

/**
 * True for what can be standard base64: whole groups of 4 characters (line breaks not counted:
 * Go's decoder, and OpenAI's, refuse unpadded text) whose first and last {@link SAMPLE} characters
 * are in the alphabet. The middle of megabytes is not scanned. Text sent where base64 is expected
 * (a caption, a path, a URL) fails on the server with a 400 naming no field; refused here, the
 * error names it. `''` passes: whether empty data is allowed is the caller's to say.
 */
export function looksBase64(text: string): boolean {
  const length = text.length - count(text, '\n') - count(text, '\r');
  if (length % 4 !== 0) return false;
  if (text.length <= 2 * SAMPLE) return BASE64_END.test(text);
  return BASE64.test(text.slice(0, SAMPLE)) && BASE64_END.test(text.slice(-SAMPLE));
}

/** How many times `char` occurs in `text`: `indexOf` leaps, and nothing is copied. */
function count(text: string, char: string): number {
  let n = 0;
  for (let at = text.indexOf(char); at !== -1; at = text.indexOf(char, at + 1)) n++;
  return n;
}

/**
 * The pieces a name breaks into at its case changes and digits (`maxAnswerBytes`: `max`,
 * `Answer`, `Bytes`; `GPT4o`: `GPT`, `4`, `o`): a name or a path's words are 3 or more characters
 * long on average, random base64 a character and a half.
 */
const PIECE = /[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+/g;
/** The most characters a piece may average for a run to read as random rather than words. */
const RANDOM_PIECE_MAX = 2.5;
/** Shorter runs are not judged: too little to tell a key from a word, and too short to matter. */
const ENCODED_MIN = 16;

/**
 * True for a run written as standard base64 is, long enough to judge: 16 or more characters of
 * the alphabet holding a `/` or a `+`, or ending in the `=` padding that completes a group of 4.
 * `run` holds no other character (the caller cut it at the first one).
 */
export function base64Shaped(run: string): boolean {
  const body = run.replace(/={1,2}$/, '');
  if (body.length < ENCODED_MIN) return false;
  return body.length !== run.length ? run.length % 4 === 0 : /[+/]/.test(body);
}

/**
 * True for letters and digits that spell no words: upper and lower case letters both, and the
 * pieces between case changes, digits, `/` and `+` average at most {@link RANDOM_PIECE_MAX}
 * characters. A path (`src/internal/Foo`, `locations/us-central1/publishers/google`) or a name
 * (`meta-llama/Llama`) spells words; `dXNlcjpwYXNzd29yZA==` and random bytes in base64 do not.
 */
export function spellsNoWords(run: string): boolean {
  if (!/[A-Z]/.test(run) || !/[a-z]/.test(run)) return false;
  const pieces = run.match(PIECE) ?? [];
  const letters = pieces.reduce((n, piece) => n + piece.length, 0);
  return letters / pieces.length <= RANDOM_PIECE_MAX;
}
