/**
 * Encodes a JavaScript string as UTF-8 and returns the bytes as a "binary string" (one char per
 * byte, code 0-255). Binary strings make cheap, hashable Map keys and can be sliced without
 * copying bytes around, which is what the BPE merge loop needs.
 *
 * Lone surrogates become U+FFFD (EF BF BD), exactly as TextEncoder (and so js-tiktoken) does.
 */
export function utf8BinaryString(text: string): string {
  let out = '';
  const length = text.length;
  for (let i = 0; i < length; i++) {
    let code = text.charCodeAt(i);
    if (code < 0x80) {
      out += text[i];
      continue;
    }
    if (code < 0x800) {
      out += String.fromCharCode(0xc0 | (code >> 6), 0x80 | (code & 0x3f));
      continue;
    }
    if (code >= 0xd800 && code <= 0xdfff) {
      const next = i + 1 < length ? text.charCodeAt(i + 1) : 0;
      if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        code = 0x10000 + ((code - 0xd800) << 10) + (next - 0xdc00);
        i++;
        out += String.fromCharCode(
          0xf0 | (code >> 18),
          0x80 | ((code >> 12) & 0x3f),
          0x80 | ((code >> 6) & 0x3f),
          0x80 | (code & 0x3f),
        );
        continue;
      }
      code = 0xfffd;
    }
    out += String.fromCharCode(
      0xe0 | (code >> 12),
      0x80 | ((code >> 6) & 0x3f),
      0x80 | (code & 0x3f),
    );
  }
  return out;
}

const NON_ASCII = /[\u0080-\uffff]/;

/** True when every UTF-16 unit of `text` is ASCII, i.e. the string is its own UTF-8 binary string. */
export function isAscii(text: string): boolean {
  return !NON_ASCII.test(text);
}
