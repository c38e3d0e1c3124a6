/**
 * The emoji that Mistral v1 holds as one token each (its other emoji take 4 byte tokens), as bits
 * over U+1F000-U+1FAFF: every single-character piece outside the BMP in its vocabulary, listed by
 * `pnpm exec tsx bench/feature-rates.ts`. They are the most used emoji, which other tokenizers
 * also encode in fewer tokens than the rest.
 */
export const COMMON_EMOJI_BITS = (() => {
  const bits = new Uint32Array(88);
  const list =
    '😂🙂🤣😉🤷😭🚀🏻👍🤔🙄😅😊🏼😀🔥🤦👏😁🙏🟡💀😎😍🟢🟠🏽😆🌍👌💎😳👀😔🙌🤡😬🥰💪😄🏾💕😏🇺😢💯😡💰😛💜🙃😩👉🥺🇸🎉💖🔴😤';
  for (const emoji of list) {
    const offset = emoji.codePointAt(0)! - 0x1f000;
    bits[offset >>> 5] = bits[offset >>> 5]! | (1 << (offset & 31));
  }
  return bits;
})();
