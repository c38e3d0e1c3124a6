import { createRandom } from '@x/internal';
import { describe, expect, it } from 'vitest';
import { corpus } from '../__fixtures__/corpus';
import { registerModel } from '../models';
import type { ChatMessage } from '../types';
import { FEATURE_NAMES, type TextFeatures, textFeatures } from './features';
import { heuristicContext, heuristicTokens, rawCount } from './heuristic';
import { type HeuristicProfile, PROFILES } from './profiles';

// The oracle: the estimator as it was before the table-driven single pass (features by name, an
// object per text, weights looked up by name). The new one must give bit-identical results.
function oracleFeatures(text: string): TextFeatures {
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
          if (breakRun <= 3) f.breaks++;
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
        }
        punctRun++;
        lastPunct =
          punctRun <= 17
            ? 'puncts'
            : code !== previousCode
              ? 'punctMixExcess'
              : '#%*+-./=_~'.includes(text[i]!)
                ? 'ruleExcess'
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
    } else if (code >= 0x370 && code <= 0x6ff) {
      kind = 6;
      f.alphabetic++;
    } else {
      kind = 5;
      if (code >= 0xd800 && code <= 0xdbff && i + 1 < length) {
        const next = text.charCodeAt(i + 1);
        if (next >= 0xdc00 && next <= 0xdfff) i++;
        f.astral++;
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
  return f;
}

function oracleRaw(text: string, profile: HeuristicProfile): number {
  if (text === '') return 0;
  const features = oracleFeatures(text);
  let total = 0;
  for (const name of FEATURE_NAMES) total += features[name] * profile.weights[name];
  return Math.max(1, total);
}

function oracleNonAscii(f: TextFeatures): number {
  return f.cjk + f.kana + f.hangul + f.latin + f.alphabetic + f.other + f.astral;
}

function oracleTokens(messages: readonly ChatMessage[], profile: HeuristicProfile) {
  let chars = 0;
  let nonAscii = 0;
  let total = profile.priming;
  for (const message of messages) {
    total += profile.perMessage;
    if (typeof message.name === 'string') total += profile.perName;
    for (const key of Object.keys(message)) {
      const text = message[key];
      if (typeof text !== 'string') continue;
      total += oracleRaw(text, profile);
      if (text !== '') {
        const f = oracleFeatures(text);
        chars += f.chars;
        nonAscii += oracleNonAscii(f);
      }
    }
  }
  return { tokens: Math.round(total), chars, nonAscii };
}

// Ranges that cover every class and every class boundary, plus whole snippets of code and prose.
const RANGES: [number, number][] = [
  [0x00, 0x7f],
  [0x20, 0x20],
  [0x0a, 0x0d],
  [0x41, 0x7a],
  [0x30, 0x39],
  [0x80, 0x2ff],
  [0xd7, 0xd7],
  [0xf7, 0xf7],
  [0x36f, 0x700],
  [0x1100, 0x11ff],
  [0x2fff, 0x3100],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xac00, 0xd7af],
  [0xd800, 0xdfff],
  [0xf8ff, 0xfb00],
  [0xfeff, 0xffff],
  [0x0, 0xffff],
];
const SNIPPETS = [
  'const x = foo.bar(1, 2);\n',
  '    if (a_b) {\n\t\treturn [0x1f, "s"];\n    }\n',
  '😀',
  '👩‍👩‍👧',
  '日本語のテキスト',
  '한국어 문장',
  'Ünïcödé façade',
  'Привет, мир',
  '  ',
  '...__init__(self)',
  '\r\n',
];

function randomText(random: () => number): string {
  const parts: string[] = [];
  const length = Math.floor(random() * 40);
  for (let i = 0; i < length; i++) {
    if (random() < 0.25) {
      parts.push(SNIPPETS[Math.floor(random() * SNIPPETS.length)]!);
    } else {
      const [from, to] = RANGES[Math.floor(random() * RANGES.length)]!;
      parts.push(String.fromCharCode(from + Math.floor(random() * (to - from + 1))));
    }
  }
  return parts.join('');
}

const profiles = Object.values(PROFILES) as HeuristicProfile[];

describe('rawCount', () => {
  it('equals the by-name estimator bit for bit when given random text of every script', () => {
    const random = createRandom(17);
    for (let i = 0; i < 5000; i++) {
      const text = randomText(random);
      for (const profile of profiles) {
        const actual = rawCount(text, profile);
        const expected = oracleRaw(text, profile);
        if (!Object.is(actual, expected)) expect({ text, actual }).toEqual({ text, expected });
      }
    }
  });

  it('gives the same sum from its memo when a text comes back under another profile', () => {
    const random = createRandom(23);
    const texts = Array.from({ length: 200 }, () => randomText(random));
    // Each text under every profile, three rounds, profiles in a different order each round: a
    // memoised sum belongs to the profile it was weighed under.
    for (const order of [profiles, [...profiles].reverse(), profiles]) {
      for (const text of texts) {
        for (const profile of order) {
          const actual = rawCount(text, profile);
          const expected = oracleRaw(text, profile);
          if (!Object.is(actual, expected)) expect({ text, actual }).toEqual({ text, expected });
        }
      }
    }
  });

  it('equals the by-name estimator bit for bit when given the corpus samples', () => {
    for (const sample of corpus) {
      for (const profile of profiles) {
        expect(rawCount(sample.text, profile)).toBe(oracleRaw(sample.text, profile));
      }
    }
  });
});

describe('textFeatures', () => {
  it('counts what the by-name scan counted when given random text of every script', () => {
    const random = createRandom(42);
    for (let i = 0; i < 2000; i++) {
      const text = randomText(random);
      expect(textFeatures(text)).toEqual(oracleFeatures(text));
    }
  });
});

describe('heuristicTokens', () => {
  it('returns the tokens, characters and non-ASCII share of before when given random messages', () => {
    const random = createRandom(7);
    for (let i = 0; i < 1000; i++) {
      const messages: ChatMessage[] = [];
      const count = 1 + Math.floor(random() * 4);
      for (let m = 0; m < count; m++) {
        const role = random() < 0.5 ? 'user' : 'system';
        // Both key orders: the strings are summed in the message's own order.
        const message: ChatMessage =
          random() < 0.5
            ? { role, content: randomText(random) }
            : { content: randomText(random), role };
        if (random() < 0.3) message.name = randomText(random);
        messages.push(message);
      }
      for (const profile of profiles) {
        // (and the uncertain run tokens, which only the margin reads)
        expect(heuristicTokens(messages, profile, undefined)).toMatchObject(
          oracleTokens(messages, profile),
        );
      }
    }
  });
});

describe('heuristicContext', () => {
  it('follows a registration made after the name was first resolved, and its removal', () => {
    const before = heuristicContext('acme-mistral-tune', undefined);
    expect(before.key).toBe('openai/acme-mistral-tune');
    const unregister = registerModel({
      id: 'acme-mistral-tune',
      provider: 'ollama',
      contextWindow: 8192,
    });
    try {
      expect(heuristicContext('acme-mistral-tune', undefined).key).toBe('ollama/acme-mistral-tune');
    } finally {
      unregister();
    }
    expect(heuristicContext('acme-mistral-tune', undefined)).toEqual(before);
  });

  it('keeps contexts apart by provider for one model name', () => {
    expect(heuristicContext('mistral-acme', 'ollama').profile).toBe(PROFILES.mistral);
    expect(heuristicContext('mistral-acme', 'openai')).toEqual({
      profile: PROFILES.openai,
      key: 'openai/mistral-acme',
      local: false,
    });
    expect(heuristicContext('mistral-acme', 'ollama').key).toBe('ollama/mistral-acme');
  });
});
