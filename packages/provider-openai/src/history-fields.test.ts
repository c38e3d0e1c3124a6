// An assistant turn's OpenAI-only history fields per preset: `audio: { id }` (a spoken answer
// OpenAI's API keeps) goes to OpenAI alone, and `refusal` where the server's message schema has
// it, so a conversation a router moves from OpenAI to another server is not refused for a field
// that server does not know (Groq's 400, Mistral's 422 `extra_forbidden`).
import { describe, expect, it } from 'vitest';
import { completion, json, type TestServer } from './__fixtures__/server';
import { ask, chats, setup } from './__fixtures__/setup';
import type { OpenAIProviderOptions } from './options';
import { PRESET_NAMES } from './presets';
import type { OpenAIChatMessage } from './types';

const hello = json(200, completion({ content: 'hi' }));

/** The assistant turn (`messages[1]`) `turn` is sent as, on a provider with `options`. */
async function sentTurn(
  turn: OpenAIChatMessage,
  options: OpenAIProviderOptions,
): Promise<Record<string, unknown>> {
  const { server, provider } = await setup(
    { '/chat/completions': hello },
    { apiKey: 'sk-test', completeAs: 'whole', ...options },
  );
  await provider.complete(
    ask('', {
      messages: [{ role: 'user', content: 'Say hi' }, turn, { role: 'user', content: 'Again' }],
    }),
  );
  return messagesOf(server)[1]!;
}

const messagesOf = (server: TestServer) =>
  chats(server)[0]!.json!.messages as Array<Record<string, unknown>>;

const spoken: OpenAIChatMessage = { role: 'assistant', content: '', audio: { id: 'audio_abc123' } };
const REFUSAL = "I'm sorry, I can't help with that.";

describe("an assistant turn's audio id", () => {
  it('goes to OpenAI, its empty text as null, as OpenAI writes a spoken turn', async () => {
    expect(await sentTurn(spoken, { preset: 'openai' })).toEqual({
      role: 'assistant',
      content: null,
      audio: { id: 'audio_abc123' },
    });
  });

  it.each(PRESET_NAMES.filter((p) => p !== 'openai').map((p) => [p]))(
    'is not sent to %s, which never issued it (the turn keeps its text)',
    async (preset) => {
      expect(await sentTurn(spoken, { preset })).toEqual({ role: 'assistant', content: '' });
      expect(await sentTurn({ ...spoken, content: 'Hello!' }, { preset })).toEqual({
        role: 'assistant',
        content: 'Hello!',
      });
    },
  );

  it('follows the preset a preset of your own extends, and is sent by one that extends none', async () => {
    const preset = (extend?: 'openai' | 'groq') => ({
      preset: { name: 'mine', baseUrl: 'http://127.0.0.1:1/v1', extends: extend },
    });
    expect(await sentTurn(spoken, preset('openai'))).toHaveProperty('audio', {
      id: 'audio_abc123',
    });
    expect(await sentTurn(spoken, preset())).toHaveProperty('audio', { id: 'audio_abc123' });
    expect(await sentTurn(spoken, preset('groq'))).not.toHaveProperty('audio');
  });
});

describe("an assistant turn's refusal", () => {
  const refused: OpenAIChatMessage = { role: 'assistant', content: '', refusal: REFUSAL };

  it.each([['openai'], ['vllm']] as const)(
    'goes to %s as refusal, whose message schema has it',
    async (preset) => {
      expect(await sentTurn(refused, { preset })).toEqual({
        role: 'assistant',
        content: null,
        refusal: REFUSAL,
      });
    },
  );

  it.each(PRESET_NAMES.filter((p) => p !== 'openai' && p !== 'vllm').map((p) => [p]))(
    'goes to %s as the turn text, its schema having no refusal',
    async (preset) => {
      expect(await sentTurn(refused, { preset })).toEqual({ role: 'assistant', content: REFUSAL });
      const partly = await sentTurn({ ...refused, content: 'Partly:' }, { preset });
      expect(partly).toEqual({ role: 'assistant', content: 'Partly:' });
    },
  );
});
