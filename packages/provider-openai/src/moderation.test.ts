// Moderated completions (`moderation`, openai-node 7.5.0): sent as given, checked before sending,
// refused on presets whose servers are not OpenAI's; the answer's `moderation` from a whole
// completion or from a stream's moderation chunk, which comes after the usage one.
import { describe, expect, it } from 'vitest';
import {
  chunk,
  completion,
  DONE,
  type Handler,
  json,
  sse,
  usageChunk,
} from './__fixtures__/server';
import { ask, chats, collect, setup } from './__fixtures__/setup';
import type { OpenAIPresetName } from './presets';
import type { ChatRequest } from './types';

const moderation = {
  model: 'omni-moderation-latest',
  policy: { input: { mode: 'block' as const }, output: { mode: 'score' as const } },
};

/** The moderation object as OpenAI writes it: the input's results, the output's error. */
const WIRE = {
  input: {
    type: 'moderation_results',
    model: 'omni-moderation-2024-09-26',
    results: [
      {
        type: 'moderation_result',
        model: 'omni-moderation-2024-09-26',
        flagged: false,
        categories: { harassment: false, 'self-harm/intent': false },
        category_scores: { harassment: 0.0012, 'self-harm/intent': 0.0001 },
        category_applied_input_types: { harassment: ['text'], 'self-harm/intent': ['text'] },
      },
    ],
  },
  output: { type: 'error', code: 'moderation_unavailable', message: 'Try again later.' },
};

const MAPPED = {
  input: {
    type: 'moderation_results',
    model: 'omni-moderation-2024-09-26',
    results: [
      {
        type: 'moderation_result',
        model: 'omni-moderation-2024-09-26',
        flagged: false,
        categories: { harassment: false, 'self-harm/intent': false },
        categoryScores: { harassment: 0.0012, 'self-harm/intent': 0.0001 },
        categoryAppliedInputTypes: { harassment: ['text'], 'self-harm/intent': ['text'] },
      },
    ],
  },
  output: { type: 'error', code: 'moderation_unavailable', message: 'Try again later.' },
};

/** The moderation chunk: no choice, the moderation. */
const moderationChunk = chunk({}, null, { choices: [], moderation: WIRE });

const moderated = [
  chunk({ role: 'assistant', content: '' }),
  chunk({ content: 'Rayleigh scattering.' }),
  chunk({}, 'stop'),
  usageChunk(),
  moderationChunk,
  DONE,
];

/** Writes `events`, then holds the connection open: nothing ends the answer but the events. */
function held(events: string[]): Handler {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const event of events) res.write(event);
  };
}

describe('ChatRequest.moderation', () => {
  it('is sent as given, and part of the cache key', async () => {
    const { server, provider } = await setup({ '/chat/completions': sse(moderated) });
    const base = ask('Why is the sky blue?', { temperature: 0 });
    await provider.complete({ ...base, moderation });
    expect(chats(server)[0]!.json).toMatchObject({ moderation });
    const other = await provider.complete({
      ...base,
      moderation: { model: 'omni-moderation-latest' },
    });
    expect(other.cached).toBe(false);
    const again = await provider.complete({ ...base, moderation });
    expect(again.cached).toBe(true);
    expect(again.moderation).toEqual(MAPPED);
    expect(chats(server)).toHaveLength(2);
  }, 30_000);

  it('refuses a malformed moderation before sending, naming the field', async () => {
    const { server, provider } = await setup({ '/chat/completions': sse(moderated) });
    const on = (value: unknown) =>
      provider.complete(ask('Hi', { moderation: value } as Partial<ChatRequest>));
    await expect(on('omni-moderation-latest')).rejects.toThrow(
      /^Expected `request\.moderation` to be/,
    );
    await expect(on({})).rejects.toThrow(
      new TypeError(
        'Expected `request.moderation.model` to be a non-empty string, got `undefined` (undefined)',
      ),
    );
    await expect(on({ model: '' })).rejects.toBeInstanceOf(RangeError);
    await expect(on({ model: 'm', policy: { input: { mode: 'flag' } } })).rejects.toThrow(
      new RangeError(
        'Expected `request.moderation.policy.input.mode` to be one of "score", "block", got `"flag"` (string)',
      ),
    );
    await expect(on({ model: 'm', policy: { output: { mode: 1 } } })).rejects.toThrow(
      /^Expected `request\.moderation\.policy\.output\.mode`/,
    );
    await expect(on({ model: 'm', policy: { output: 'block' } })).rejects.toThrow(
      /^Expected `request\.moderation\.policy\.output` to be/,
    );
    await expect(on({ model: 'm', policy: { inputs: {} } })).rejects.toThrow(
      /^Unknown option `request\.moderation\.policy\.inputs`/,
    );
    await expect(on({ model: 'm', threshold: 1 })).rejects.toThrow(
      /^Unknown option `request\.moderation\.threshold`/,
    );
    expect(chats(server)).toHaveLength(0);
  });

  it("is refused before sending on a preset whose server is not OpenAI's, unsupportedBy: 'server'", async () => {
    const presets: OpenAIPresetName[] = ['groq', 'mistral', 'ollama', 'vllm', 'deepseek'];
    for (const preset of presets) {
      const { server, provider } = await setup(
        { '/chat/completions': sse(moderated) },
        { preset, apiKey: 'sk-test' },
      );
      const error = await provider.complete(ask('Hi', { moderation })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TypeError);
      expect((error as Error).message).toMatch(/does not accept `request\.moderation`/);
      expect(error).toHaveProperty('unsupportedBy', 'server');
      expect(() => provider.stream(ask('Hi', { moderation }))).toThrow(TypeError);
      expect(provider.requestFields.chat.has('moderation')).toBe(false);
      expect(chats(server)).toHaveLength(0);
    }
    const mine = await setup(
      { '/chat/completions': sse(moderated) },
      { preset: { name: 'my-gateway', baseUrl: 'http://127.0.0.1:9/v1' } },
    );
    await expect(mine.provider.complete(ask('Hi', { moderation }))).rejects.toHaveProperty(
      'unsupportedBy',
      'server',
    );
    const { provider } = await setup({ '/chat/completions': sse(moderated) });
    expect(provider.requestFields.chat.has('moderation')).toBe(true);
  });
});

describe('ChatResponse.moderation', () => {
  it("reads a whole completion's moderation, in camelCase; undefined without it", async () => {
    const { provider } = await setup(
      {
        '/chat/completions': [
          json(200, completion({ content: 'Rayleigh scattering.' }, { moderation: WIRE })),
          json(200, completion({ content: 'hi' })),
        ],
      },
      { completeAs: 'whole', cache: false },
    );
    const answer = await provider.complete(ask('Why?', { moderation }));
    expect(answer.moderation).toEqual(MAPPED);
    expect(answer.content).toBe('Rayleigh scattering.');
    expect((await provider.complete(ask('Hi'))).moderation).toBeUndefined();
  });

  it('keeps the moderation chunk that follows the usage chunk in a stream', async () => {
    const { provider } = await setup({ '/chat/completions': sse(moderated) }, { cache: false });
    const chunks = await collect(provider.stream(ask('Why?', { moderation })));
    const { response } = chunks.at(-1)!;
    expect(response?.content).toBe('Rayleigh scattering.');
    expect(response?.usage.totalTokens).toBe(29);
    expect(response?.moderation).toEqual(MAPPED);
    // complete() reads the same stream (`completeAs: 'stream'`, the default).
    expect((await provider.complete(ask('Why?', { moderation }))).moderation).toEqual(MAPPED);
  });

  it('ends a moderated answer at its moderation chunk, and an unmoderated one at its usage', async () => {
    const { provider } = await setup(
      {
        '/chat/completions': [
          held(moderated.slice(0, -1)),
          held([chunk({ content: 'Hi' }), chunk({}, 'stop'), usageChunk(), moderationChunk]),
        ],
      },
      { cache: false, retry: false },
    );
    // The server holds the connection open after the last event: each answer ends on its own.
    expect((await provider.complete(ask('Why?', { moderation }))).moderation).toEqual(MAPPED);
    const plain = await provider.complete(ask('Hi'));
    expect(plain.content).toBe('Hi');
    expect(plain.moderation).toBeUndefined();
  });
});
