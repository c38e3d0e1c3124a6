import { EMOJI_COSTS } from '../internal/emoji-costs';
import type { TextFeatures } from '../internal/features';

// The emoji Mistral v1 holds whole, as a set (features.ts reads them from a bit table).
const COMMON_EMOJI = new Set(
  '😂🙂🤣😉🤷😭🚀🏻👍🤔🙄😅😊🏼😀🔥🤦👏😁🙏🟡💀😎😍🟢🟠🏽😆🌍👌💎😳👀😔🙌🤡😬🥰💪😄🏾💕😏🇺😢💯😡💰😛💜🙃😩👉🥺🇸🎉💖🔴😤',
);

// The oracle: the estimator as it was before the table-driven single pass (features by name, an
// object per text, weights looked up by name). The new one must give bit-identical results.
export function oracleFeatures(text: string): TextFeatures {
  const f: TextFeatures = {
    chars: 0,
    words: 0,
    letters: 0,
    digitRuns: 0,
    digits: 0,
    punctRuns: 0,
    puncts: 0,
    prefixed: 0,
    breaks: 0,
    tabs: 0,
    indents: 0,
    cjk: 0,
    kana: 0,
    hangul: 0,
    latin: 0,
    alphabetic: 0,
    other: 0,
    astral: 0,
    digitGroups: 0,
    spaceExcess: 0,
    breakExcess: 0,
    tabExcess: 0,
    wordExcess: 0,
    repeatExcess: 0,
    denseExcess: 0,
    crlfExcess: 0,
    crExcess: 0,
    controls: 0,
    spaceTabSwitches: 0,
    ruleExcess: 0,
    punctRepeatExcess: 0,
    punctMixExcess: 0,
    commonEmoji: 0,
    marks: 0,
    crs: 0,
    ruleJunctions: 0,
    regionalIndicators: 0,
    tagCharacters: 0,
    supplementalEmoji: 0,
    runEmoji: 0,
    runEmojiO200k: 0,
    runEmojiLlama3: 0,
    runEmojiMistral: 0,
    keycaps: 0,
    keycapSpaces: 0,
    alignedRuleExcess: 0,
  };
  // Where the last punctuation mark was counted, taken back when a word absorbs it.
  let lastPunct: 'puncts' | 'ruleExcess' | 'punctRepeatExcess' | 'punctMixExcess' = 'puncts';
  // Base64-like runs, found by a regular expression here, counted in the single pass there.
  for (const [run] of text.matchAll(/[A-Za-z0-9+/=_-]+/g)) {
    let mix = 0;
    let shown = -1;
    for (let j = 0; j < run.length; j++) {
      const c = run[j]!;
      mix |= /[0-9]/.test(c) ? 4 : /[a-z]/.test(c) ? 2 : /[A-Z]/.test(c) ? 1 : 0;
      if (j >= 16 && mix === 7 && shown === -1) shown = j;
    }
    if (shown !== -1) f.denseExcess += run.length;
  }
  // Run lengths past which the long-run features count (see features.ts).
  let wordRun = 0;
  let digitRun = 0;
  let breakRun = 0;
  let tabRun = 0;
  let previousCode = -1;
  // 0 none, 1 letter, 2 digit, 3 punct, 4 space, 5 other, 6 alphabetic
  let previous = 0;
  let spaceRun = 0;
  let punctRun = 0;
  // The same mark repeated, the changes of mark in the run, and whether it holds a `---`/`===`.
  let same = 0;
  let changes = 0;
  let rule = false;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    f.chars++;
    let kind: number;
    if (code < 0x80) {
      if ((code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a)) {
        kind = 1;
        f.letters++;
        if (previous !== 1) {
          f.words++;
          wordRun = 0;
        }
        wordRun++;
        if (wordRun > 20 && code === previousCode) f.repeatExcess++;
        else if (wordRun > 20) f.wordExcess++;
        if (previous === 3) {
          f[lastPunct]--;
          f.prefixed++;
          if (punctRun === 1) f.punctRuns--;
        }
      } else if (code >= 0x30 && code <= 0x39) {
        kind = 2;
        f.digits++;
        if (previous !== 2) {
          f.digitRuns++;
          digitRun = 0;
        }
        digitRun++;
        f.digitGroups = f.digitGroups + (digitRun > 6 && digitRun % 3 === 1 ? 1 : 0);
      } else if (code === 0x20) {
        kind = 4;
        if (previousCode === 0x09) f.spaceTabSwitches++;
        spaceRun++;
        if (spaceRun === 2) f.indents++;
        if (spaceRun > 16) f.spaceExcess++;
      } else if (code === 0x0a || code === 0x0d) {
        kind = 4;
        if (code === 0x0a && previousCode === 0x0d) {
          // the LF of a CRLF
        } else {
          breakRun++;
          if (breakRun <= 3 && code === 0x0d && text[i + 1] !== '\n') f.crs++;
          else if (breakRun <= 3) f.breaks++;
          else if (code === 0x0a) f.breakExcess++;
          else if (text[i + 1] === '\n') f.crlfExcess++;
          else f.crExcess++;
        }
      } else if (code === 0x09) {
        kind = 4;
        if (previousCode === 0x20) f.spaceTabSwitches++;
        tabRun++;
        if (tabRun > 4) f.tabExcess++;
        else f.tabs++;
      } else if (code < 0x20 || code === 0x7f) {
        kind = 4;
        f.controls += previousCode === 0x20 ? 2 : 1;
      } else {
        kind = 3;
        if (previous !== 3) {
          f.punctRuns++;
          punctRun = 0;
          same = 0;
          changes = 0;
          rule = false;
        }
        punctRun++;
        if (code === previousCode) same++;
        else {
          if (punctRun > 1) changes++;
          if (punctRun > 1 && rule) f.ruleJunctions++;
          same = 1;
        }
        if (same === 3 && !rule && (text[i] === '-' || text[i] === '=')) {
          rule = true;
          f.ruleJunctions += changes;
        }
        const ruleMark = '#*-./=_'.includes(text[i]!);
        lastPunct =
          ruleMark && same > 1 && (same > 3 || punctRun > 17)
            ? 'ruleExcess'
            : punctRun <= 17
              ? 'puncts'
              : code !== previousCode
                ? 'punctMixExcess'
                : 'punctRepeatExcess';
        f[lastPunct]++;
      }
    } else if (code >= 0xc0 && code <= 0x24f && code !== 0xd7 && code !== 0xf7) {
      kind = 1;
      f.latin++;
      if (previous !== 1) {
        f.words++;
        wordRun = 0;
      }
    } else if (code >= 0x300 && code <= 0x36f) {
      kind = previous === 1 ? 1 : 5;
      f.marks++;
    } else if (code >= 0x370 && code <= 0x6ff) {
      kind = 6;
      f.alphabetic++;
    } else {
      kind = 5;
      const point = text.codePointAt(i)!;
      if (point > 0xffff) {
        i++;
        if (COMMON_EMOJI.has(String.fromCodePoint(point))) f.commonEmoji++;
        else if (point >= 0x1f1e6 && point <= 0x1f1ff) f.regionalIndicators++;
        else if (point >= 0x1f900 && point <= 0x1faff) f.supplementalEmoji++;
        else if (point >= 0xe0020 && point <= 0xe007f) f.tagCharacters++;
        else f.astral++;
      } else if (code >= 0x3040 && code <= 0x30ff) {
        f.kana++;
      } else if (
        (code >= 0x3000 && code <= 0x303f) ||
        (code >= 0x3400 && code <= 0x4dbf) ||
        (code >= 0x4e00 && code <= 0x9fff) ||
        (code >= 0xf900 && code <= 0xfaff) ||
        (code >= 0xff00 && code <= 0xffef)
      ) {
        f.cjk++;
      } else if ((code >= 0xac00 && code <= 0xd7af) || (code >= 0x1100 && code <= 0x11ff)) {
        f.hangul++;
      } else {
        f.other++;
      }
    }
    if (code !== 0x20) spaceRun = 0;
    if (code !== 0x0a && code !== 0x0d) breakRun = 0;
    if (code !== 0x09) tabRun = 0;
    previous = kind;
    previousCode = code;
  }
  runsOfEmoji(text, f);
  // Keycaps, found by a regular expression here: their characters were a digit (or `#`, `*`),
  // then two `other`.
  for (const match of text.matchAll(/[0-9#*]\uFE0F\u20E3/g)) {
    const before = text[match.index - 1] ?? '';
    // A `#` or `*` counted beyond `puncts` (a long run's, a rule's) stays where it is.
    if (/[#*]/.test(match[0][0]!)) {
      const run = /[!-/:-@[-`{-~]*$/.exec(text.slice(0, match.index + 1))![0];
      if (run.length > 17 || /(.)\1*$/.exec(run)![0].length > 3) continue;
    }
    f.other -= 2;
    f.keycaps++;
    if (text[match.index - 1] === ' ' && /[0-9]/.test(match[0][0]!)) f.keycapSpaces++;
    if (/[0-9]/.test(match[0][0]!)) {
      f.digits--;
      if (!/[0-9]/.test(before)) f.digitRuns--;
    } else {
      f.puncts--;
      if (!/[!-/:-@[-`{-~]/.test(before)) f.punctRuns--;
    }
  }
  // Rules of 32, 48, 64 or 80 of `- = * #`, a punctuation run of their own, before a line
  // break, a space or the end.
  for (const match of text.matchAll(/(?<![!-/:-@[-`{-~])([-=*#])\1{31,79}(?=[\n\r ]|$)/g)) {
    const n = match[0].length;
    if (n % 16 !== 0) continue;
    f.ruleExcess -= n - 3;
    f.alignedRuleExcess += n - 3;
  }
  return f;
}

// Emoji of U+1F000-U+1FAFF but flags, next to another: a run, counted from the cost tables.
function runsOfEmoji(text: string, f: TextFeatures): void {
  const points = [...text].map((c) => c.codePointAt(0)!);
  const runs = (p: number | undefined) =>
    p !== undefined && p >= 0x1f000 && p <= 0x1faff && !(p >= 0x1f1e6 && p <= 0x1f1ff);
  points.forEach((point, k) => {
    if (!runs(point) || !(runs(points[k - 1]) || runs(points[k + 1]))) return;
    // The main loop counted it one at a time.
    if (COMMON_EMOJI.has(String.fromCodePoint(point))) f.commonEmoji--;
    else if (point >= 0x1f900) f.supplementalEmoji--;
    else f.astral--;
    const cost = EMOJI_COSTS[point - 0x1f000]!;
    f.runEmoji++;
    f.runEmojiO200k += (cost & 3) - 1;
    f.runEmojiLlama3 += ((cost >> 2) & 3) - 1;
    f.runEmojiMistral += cost & 16 ? 0 : 3;
  });
}

