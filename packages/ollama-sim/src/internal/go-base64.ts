// Go's padded standard base64 (encoding/base64 StdEncoding), the decoding encoding/json applies
// to a []byte field such as api.ImageData: `\r` and `\n` are skipped anywhere, padding is
// required, the bits after the last byte may be anything. What is checked here is only whether it
// decodes, and when not, the byte offset Go's CorruptInputError reports (in the UTF-8 bytes).

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DIGIT = new Uint8Array(256).fill(0);
for (const c of ALPHABET) DIGIT[c.charCodeAt(0)] = 1;

const PAD = 0x3d; // '='
const isNewline = (b: number | undefined): boolean => b === 0x0a || b === 0x0d;

/**
 * Reads one group of up to four digits from `at`. Returns where the next group starts, or the
 * offset of the corrupt byte as `{ bad }`.
 */
function group(src: Uint8Array, at: number): number | { bad: number } {
  let i = at;
  for (let digits = 0; digits < 4; ) {
    if (i === src.length) {
      // Input ran out inside a group: the group's start is what Go blames (a lone first digit:
      // that digit); none at all is a clean end.
      if (digits === 0) return i;
      return { bad: i - digits };
    }
    const b = src[i++]!;
    if (DIGIT[b] === 1) {
      digits++;
      continue;
    }
    if (isNewline(b)) continue;
    if (b !== PAD || digits < 2) return { bad: i - 1 };
    // Padding after two digits must be `==`, newlines allowed between.
    if (digits === 2) {
      while (isNewline(src[i])) i++;
      if (i === src.length) return { bad: src.length };
      if (src[i] !== PAD) return { bad: i - 1 };
      i++;
    }
    while (isNewline(src[i])) i++;
    // Anything after the padding is trailing garbage.
    return i < src.length ? { bad: i } : i;
  }
  return i;
}

/** The offset of the first byte Go's decoder rejects, or undefined when `text` decodes. */
export function base64ErrorOffset(text: string): number | undefined {
  const src = Buffer.from(text, 'utf8');
  let at = 0;
  while (at < src.length) {
    const next = group(src, at);
    if (typeof next !== 'number') return next.bad;
    if (next === at) break;
    at = next;
  }
  return undefined;
}

/** Go's error text for a string that is not padded standard base64, or undefined when it is. */
export function base64Error(text: string): string | undefined {
  const bad = base64ErrorOffset(text);
  return bad === undefined ? undefined : `illegal base64 data at input byte ${bad}`;
}
