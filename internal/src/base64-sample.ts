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
