import { createRandom } from '@x/internal';
import { describe, expect, it } from 'vitest';
import { corpus } from '../__fixtures__/corpus';
import { oracleFeatures } from '../__fixtures__/feature-oracle';
import { registerModel } from '../models';
import type { ChatMessage } from '../types';
import { FEATURE_NAMES, type TextFeatures, textFeatures } from './features';
import { heuristicContext, heuristicTokens, rawCount } from './heuristic';
import { type HeuristicProfile, PROFILES } from './profiles';

function oracleRaw(text: string, profile: HeuristicProfile): number {
  if (text === '') return 0;
  const features = oracleFeatures(text);
  let total = 0;
  for (const name of FEATURE_NAMES) total += features[name] * profile.weights[name];
  return Math.max(1, total);
}

function oracleNonAscii(f: TextFeatures): number {
  return (
    f.cjk +
    f.kana +
    f.hangul +
    f.latin +
    f.alphabetic +
    f.other +
    f.astral +
    f.commonEmoji +
    f.marks +
    f.regionalIndicators +
    f.tagCharacters +
    f.supplementalEmoji +
    f.runEmoji +
    f.keycaps
  );
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
  [0x2ff, 0x370],
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
  '\r',
  'e\u0301',
  '👍🎉',
  '|---|:--:|',
  '+=====+',
  '-'.repeat(20),
  '🇫🇷🇺🇸',
  '🏴\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}',
  '🦩🤔🫠\u{1F8FF}\u{1FB00}',
  '1️⃣#️⃣*️⃣',
  ' 1️⃣ *️⃣',
  '😀😂🟢🇺🇸🏻',
  `${'='.repeat(80)}\n`,
  '-'.repeat(32),
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
