/**
 * What o200k_base and Llama 3 spend on each emoji of U+1F000-U+1FAFF, printed by
 * `pnpm exec tsx bench/emoji-tables.ts`: a default per block of 64 code points (emoji sharing
 * their first three UTF-8 bytes, which byte-level BPE merges alike: 1 to 3 tokens) and the emoji
 * that differ from it. A run of emoji is counted with these (`runEmoji*` features): the corpus's
 * fit of emoji, one at a time after a space, was 1.5× low on runs of the common ones in o200k_base
 * and 2.2× high on keycaps. Mistral v1's costs: 1 for COMMON_EMOJI_BITS, else 4 byte tokens.
 */
import { COMMON_EMOJI_BITS } from './common-emoji';

const O200K_BLOCKS = '33333332333322222222233322233333333322333333';
const O200K_ONE = '🏻🏼👇👉👌👍👏💕🔥😀😁😂😉😊😍😘😭🙂🙏🤣';
const O200K_TWO = '🃽🆒🉴🕌🛄🛰🟥🟳🢋🣼🣿🦂🦬🧐🪽🫘';
const LLAMA3_BLOCKS = '33333333333333333323333323333333333333333333';
const LLAMA3_TWO = '🃽🆒🆵🇌🉴🊶🌀🌒🌓🌨🍨🍰🍼🎷🐜👐👜👸📍📘📨📰🔄🔔🕌🙂🚌🛄🛰🟥🟳🣨🣼🣽🤑🥐🥤🥿🦂🦬🪌🪽🫘';

/**
 * Per code point of U+1F000-U+1FAFF (index: code point - U+1F000), o200k_base's tokens in bits
 * 0-1, Llama 3's in bits 2-3, and bit 4 when Mistral v1 holds it whole.
 */
export const EMOJI_COSTS = (() => {
  const costs = new Uint8Array(0xb00);
  const o200k = new Uint8Array(0xb00);
  const llama3 = new Uint8Array(0xb00);
  for (let i = 0; i < 0xb00; i++) {
    o200k[i] = Number(O200K_BLOCKS[i >>> 6]);
    llama3[i] = Number(LLAMA3_BLOCKS[i >>> 6]);
  }
  for (const e of O200K_ONE) o200k[e.codePointAt(0)! - 0x1f000] = 1;
  for (const e of O200K_TWO) o200k[e.codePointAt(0)! - 0x1f000] = 2;
  for (const e of LLAMA3_TWO) llama3[e.codePointAt(0)! - 0x1f000] = 2;
  for (let i = 0; i < 0xb00; i++) {
    const whole = (COMMON_EMOJI_BITS[i >>> 5]! >>> (i & 31)) & 1;
    costs[i] = o200k[i]! | (llama3[i]! << 2) | (whole << 4);
  }
  return costs;
})();

/** Whether an emoji that runs can continue (U+1F000-U+1FAFF, no flag) is at `i` of `text`. */
export function emojiAt(text: string, i: number): boolean {
  const high = text.charCodeAt(i);
  if (high < 0xd83c || high > 0xd83e) return false;
  const low = text.charCodeAt(i + 1);
  if (low < 0xdc00 || low > 0xdfff) return false;
  const offset = ((high - 0xd800) << 10) + low - 0xdc00 + 0x10000 - 0x1f000;
  return offset >= 0 && offset < 0xb00 && (offset < 0x1e6 || offset > 0x1ff);
}
