import { describe, expect, it } from 'vitest';
import { createCache } from './cache';
import type { CacheStrategy } from './strategy';

const MIN = 30_000;
const MAX = 3_600_000;
const user = (content: string, extra: object = {}) => ({
  model: 'llama3.2',
  messages: [{ role: 'user', content }],
  ...extra,
});

const t0 = user('Explain TCP', { options: { temperature: 0 } });
const seeded = user('Explain TCP', { options: { temperature: 0.9, seed: 42 } });
const randomSeed = user('Explain TCP', { options: { temperature: 0.9, seed: -1 } });
const low = user('Explain TCP', { temperature: 0.25 });
const edge = user('Explain TCP', { temperature: 0.5 });
const high = user('Explain TCP', { options: { temperature: 0.8 } });
const unset = user('Explain TCP');
const tools = user('Explain TCP', {
  options: { temperature: 0 },
  tools: [{ type: 'function', function: { name: 'x' } }],
});
const images = user('What is this?', { options: { temperature: 0 }, images: ['aGk='] });
const imagePart = {
  model: 'gpt-4o',
  temperature: 0,
  messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'x' } }] }],
};
const messageImages = {
  model: 'llava',
  options: { temperature: 0 },
  messages: [{ role: 'user', content: 'describe', images: ['aGk='] }],
};
const timely = user("What's the latest news today?", { options: { temperature: 0 } });
const timelyPrompt = { model: 'x', prompt: 'What time is it right now?', temperature: 0 };
const systemDate = {
  model: 'x',
  options: { temperature: 0 },
  messages: [
    { role: 'system', content: 'Current date: 2026-11-26' },
    { role: 'user', content: 'Explain TCP' },
  ],
};

const embed = { model: 'nomic-embed-text', input: 'Explain TCP' };
const embedBatch = { model: 'nomic-embed-text', input: ['Explain TCP', 'Explain UDP'] };
const embedTokens = { model: 'text-embedding-3-small', input: [[9906, 1917]], dimensions: 256 };
const embedTimely = { model: 'nomic-embed-text', input: "What's the latest news today?" };
const responsesSampled = { model: 'gpt-4o', input: 'Tell me a joke', temperature: 1 };
const responsesItems = { model: 'gpt-4o', input: [{ role: 'user', content: 'Tell me a joke' }] };

// OpenAI Responses and Gemini requests, read by the time-sensitive and image checks too.
const responsesTimely = { model: 'gpt-4o', input: 'What is the weather today?', temperature: 0.2 };
const responsesTimelyItems = {
  model: 'gpt-4o',
  input: [{ role: 'user', content: 'What is the latest news?' }],
  temperature: 0,
};
const responsesTimelyParts = {
  model: 'gpt-4o',
  input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'News now?' }] }],
  temperature: 0,
};
const responsesDeveloperDate = {
  model: 'gpt-4o',
  input: [
    { role: 'developer', content: 'Today is 2026-11-26.' },
    { role: 'user', content: 'Explain TCP' },
  ],
  temperature: 0,
};
const responsesLow = { model: 'gpt-4o', input: 'Explain TCP', temperature: 0.25 };
const responsesImage = {
  model: 'gpt-4o',
  temperature: 0,
  input: [
    {
      role: 'user',
      content: [
        { type: 'input_text', text: 'What is this?' },
        { type: 'input_image', image_url: 'data:image/png;base64,aGk=' },
      ],
    },
  ],
};
const gemini = (contents: unknown) => ({
  model: 'gemini-2.5-flash',
  contents,
  generationConfig: { temperature: 0 },
});
const geminiTimely = gemini([{ role: 'user', parts: [{ text: 'Will it rain? Weather today?' }] }]);
const geminiNoRole = gemini([{ parts: [{ text: 'What is the latest release?' }] }]);
const geminiString = gemini('Any news this week?');
const geminiModelTurn = gemini([
  { role: 'user', parts: [{ text: 'Explain TCP' }] },
  { role: 'model', parts: [{ text: 'Today we look at TCP.' }] },
  { role: 'user', parts: [{ text: 'And UDP?' }] },
]);
const geminiInline = gemini([
  { role: 'user', parts: [{ inlineData: { mimeType: 'image/png', data: 'aGk=' } }] },
]);
const geminiFile = gemini([
  { role: 'user', parts: [{ fileData: { mimeType: 'image/png', fileUri: 'gs://b/x.png' } }] },
]);

type Row = [name: string, request: object, cacheable: boolean, reason: string, ttlMs: number];

const table: Record<CacheStrategy, Row[]> = {
  disabled: [
    ['an embeddings request', embed, false, 'disabled', 0],
    ['temperature 0', t0, false, 'disabled', 0],
    ['high temperature', high, false, 'disabled', 0],
  ],
  conservative: [
    ['an embeddings request', embed, true, 'embeddings', MAX],
    ['embeddings of token ids', embedTokens, true, 'embeddings', MAX],
    ['temperature 0', t0, true, 'deterministic', MAX],
    ['fixed seed', seeded, true, 'deterministic', MAX],
    ['seed -1 (random)', randomSeed, false, 'nondeterministic', 0],
    ['low temperature', low, false, 'nondeterministic', 0],
    ['unset temperature', unset, false, 'nondeterministic', 0],
    ['tools', tools, false, 'has-tools', 0],
    ['images', images, false, 'has-images', 0],
    ['image content part', imagePart, false, 'has-images', 0],
    ['message images', messageImages, false, 'has-images', 0],
    ['time words at temperature 0', timely, true, 'deterministic', MAX],
    ['an input_image part in a Responses input', responsesImage, false, 'has-images', 0],
    ['a Gemini inlineData part', geminiInline, false, 'has-images', 0],
    ['a Gemini fileData part', geminiFile, false, 'has-images', 0],
    ['a Gemini text request at temperature 0', geminiModelTurn, true, 'deterministic', MAX],
  ],
  selective: [
    ['an embeddings request', embed, true, 'embeddings', MAX],
    ['a batch of embeddings', embedBatch, true, 'embeddings', MAX],
    ['embeddings of token ids', embedTokens, true, 'embeddings', MAX],
    ['embeddings of text with time words', embedTimely, true, 'embeddings', MAX],
    ['a Responses-style input with a temperature', responsesSampled, false, 'high-temperature', 0],
    ['a Responses-style input of messages', responsesItems, false, 'high-temperature', 0],
    ['temperature 0', t0, true, 'deterministic', MAX],
    ['fixed seed', seeded, true, 'deterministic', MAX],
    ['temperature 0.25', low, true, 'low-temperature', (MAX + MIN) / 2],
    ['temperature 0.5', edge, true, 'low-temperature', MIN],
    ['temperature 0.8', high, false, 'high-temperature', 0],
    ['unset temperature', unset, false, 'high-temperature', 0],
    ['tools at temperature 0', tools, true, 'deterministic', MAX],
    ['images at temperature 0', images, true, 'deterministic', MAX],
    ['"latest news today"', timely, false, 'time-sensitive', 0],
    ['"right now" in a prompt', timelyPrompt, false, 'time-sensitive', 0],
    ['a date in the system prompt only', systemDate, true, 'deterministic', MAX],
    ['time words in a Responses input string', responsesTimely, false, 'time-sensitive', 0],
    ['time words in a Responses user item', responsesTimelyItems, false, 'time-sensitive', 0],
    ['time words in an input_text part', responsesTimelyParts, false, 'time-sensitive', 0],
    ['a date in a developer item only', responsesDeveloperDate, true, 'deterministic', MAX],
    ['a Responses input at 0.25', responsesLow, true, 'low-temperature', (MAX + MIN) / 2],
    ['time words in a Gemini user turn', geminiTimely, false, 'time-sensitive', 0],
    ['time words in a Gemini turn without a role', geminiNoRole, false, 'time-sensitive', 0],
    ['time words in Gemini contents given as a string', geminiString, false, 'time-sensitive', 0],
    ['time words in a Gemini model turn only', geminiModelTurn, true, 'deterministic', MAX],
  ],
  aggressive: [
    ['an embeddings request', embed, true, 'aggressive', MAX],
    ['temperature 0', t0, true, 'aggressive', MAX],
    ['high temperature', high, true, 'aggressive', MAX],
    ['tools', tools, true, 'aggressive', MAX],
    ['time words', timely, true, 'aggressive', MAX],
  ],
};

describe('cache.decide', () => {
  for (const strategy of Object.keys(table) as CacheStrategy[]) {
    describe(strategy, () => {
      const cache = createCache({ strategy });
      it.each(table[strategy])(
        'decides %s as the strategy table says',
        (_name, request, cacheable, reason, ttlMs) => {
          expect(cache.decide(request)).toEqual({ cacheable, reason, ttlMs });
        },
      );
    });
  }

  it('shrinks the TTL as the temperature grows when selective', () => {
    const cache = createCache({ minTtlMs: 1000, maxTtlMs: 11_000 });
    const ttls = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5].map((t) => cache.decide({ temperature: t }).ttlMs);
    for (let i = 1; i < ttls.length; i++) expect(ttls[i]!).toBeLessThan(ttls[i - 1]!);
    expect(ttls.at(-1)).toBe(1000);
    for (const ttl of ttls) expect(ttl).toBeGreaterThanOrEqual(1000);
  });

  it('caches an embeddings request under the default strategy when it is loaded twice', async () => {
    const cache = createCache();
    let calls = 0;
    const loader = async () => ({ embeddings: [[0.1, 0.2, 0.3]], n: ++calls });
    const first = await cache.getOrLoad(embed, loader);
    expect(await cache.getOrLoad({ ...embed }, loader)).toEqual(first);
    expect(calls).toBe(1);
    expect(cache.decide(embed).ttlMs).toBe(MAX);
  });

  it('defaults to selective when no strategy is given', () => {
    expect(createCache().decide(high).reason).toBe('high-temperature');
  });
});
