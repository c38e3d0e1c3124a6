// What each preset sends of a conversation the provider itself answered: a `developer` message in
// a role the server knows, and an earlier assistant turn's thinking where the server wants it back
// (DeepSeek answers 400 to a tool loop without it), so `messages.push(answer.message)` always
// continues a conversation.
import { describe, expect, it } from 'vitest';
import { completion, type Handler, json, type TestServer, usage } from './__fixtures__/server';
import { chats, setup } from './__fixtures__/setup';
import type { OpenAIPresetName } from './presets';
import { PRESET_NAMES } from './presets';
import type { OpenAIChatMessage } from './types';

const hello = json(200, completion({ content: 'hi' }));

const weather = {
  type: 'function' as const,
  function: { name: 'weather', parameters: { type: 'object', properties: {} } },
};

/** A first answer that thought, then called a tool, as DeepSeek's thinking mode writes it. */
const thoughtCall = json(
  200,
  completion(
    {
      content: '',
      reasoning_content: 'I need the weather',
      tool_calls: [
        { id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{}' } },
      ],
    },
    { usage: usage(5, 5) },
    'tool_calls',
  ),
);

/**
 * DeepSeek's check of a later request in thinking mode: a 400 when an assistant turn that called
 * tools comes without its `reasoning_content`.
 */
const deepseekSecond: Handler = (req, res, received) => {
  const messages = (received.json?.messages ?? []) as Array<Record<string, unknown>>;
  const missing = messages.some(
    (m) => m.role === 'assistant' && m.tool_calls !== undefined && !('reasoning_content' in m),
  );
  const answer = missing
    ? json(400, {
        error: {
          message: 'The reasoning_content in the thinking mode must be passed back to the API.',
          type: 'invalid_request_error',
        },
      })
    : json(200, completion({ content: 'Rainy' }));
  return answer(req, res, received);
};

/** The messages of the `n`th chat request `server` received. */
const sentMessages = (server: TestServer, n: number) =>
  chats(server)[n]!.json!.messages as Array<Record<string, unknown>>;

describe('a developer message', () => {
  it.each(
    // (`openai` too: this server is not OpenAI's host, ollama-v1-first-calls.test.ts has OpenAI's)
    PRESET_NAMES.map((preset) => [preset, 'system'] as const),
  )('is sent by %s as a %s message', async (preset, role) => {
    const { server, provider } = await setup(
      { '/chat/completions': hello },
      { preset, apiKey: 'sk-test', completeAs: 'whole' },
    );
    await provider.complete({
      model: 'm',
      messages: [
        { role: 'developer', content: 'Be brief.' },
        { role: 'user', content: 'hi' },
      ],
    });
    expect(chats(server)[0]!.json).toMatchObject({
      messages: [
        { role, content: 'Be brief.' },
        { role: 'user', content: 'hi' },
      ],
    });
  });
});

describe("an assistant turn's thinking", () => {
  it('goes back to DeepSeek as reasoning_content on a turn that called tools, so the tool loop continues', async () => {
    const { server, provider } = await setup(
      { '/chat/completions': [thoughtCall, deepseekSecond] },
      { preset: 'deepseek', completeAs: 'whole' },
    );
    const messages: OpenAIChatMessage[] = [{ role: 'user', content: 'Weather in Tokyo?' }];
    const first = await provider.complete({ model: 'deepseek-chat', messages, tools: [weather] });
    messages.push(first.message, { role: 'tool', toolCallId: 'call_1', content: 'Rainy' });
    const second = await provider.complete({ model: 'deepseek-chat', messages, tools: [weather] });
    expect(second.content).toBe('Rainy');
    expect(sentMessages(server, 1)[1]).toEqual({
      role: 'assistant',
      content: null,
      tool_calls: [
        { id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{}' } },
      ],
      reasoning_content: 'I need the weather',
    });
  });

  it('stays out of a DeepSeek turn without tool calls, where it is ignored (and the older model refused it)', async () => {
    const { server, provider } = await setup(
      { '/chat/completions': hello },
      { preset: 'deepseek', completeAs: 'whole' },
    );
    await provider.complete({
      model: 'deepseek-reasoner',
      messages: [
        { role: 'user', content: '9.11 or 9.8?' },
        { role: 'assistant', content: '9.8', thinking: 'Compare the tenths.' },
        { role: 'user', content: 'Why?' },
      ],
    });
    expect(sentMessages(server, 0)[1]).toEqual({ role: 'assistant', content: '9.8' });
  });

  it.each([
    ['ollama', 'reasoning'],
    ['vllm', 'reasoning'],
  ] as const)('goes back to %s as %s on every assistant turn', async (preset, field) => {
    const { server, provider } = await setup(
      { '/chat/completions': hello },
      { preset, completeAs: 'whole' },
    );
    await provider.complete({
      model: 'qwen3',
      messages: [
        { role: 'user', content: '9.11 or 9.8?' },
        { role: 'assistant', content: '9.8', thinking: 'Compare the tenths.' },
        {
          role: 'assistant',
          content: '',
          thinking: 'Check it.',
          toolCalls: [{ id: 'c1', name: 'weather', arguments: {} }],
        },
        { role: 'tool', content: 'ok', toolCallId: 'c1' },
      ],
    });
    const sent = sentMessages(server, 0);
    expect(sent[1]).toEqual({ role: 'assistant', content: '9.8', [field]: 'Compare the tenths.' });
    expect(sent[2]).toMatchObject({ role: 'assistant', [field]: 'Check it.' });
  });

  // Mistral's turn: content-chunks.test.ts.
  it.each(
    PRESET_NAMES.filter((p) => !['deepseek', 'ollama', 'vllm', 'mistral'].includes(p)).map((p) => [
      p,
    ]),
  )('is not sent to %s, whose API has no field for it', async (preset: OpenAIPresetName) => {
    const { server, provider } = await setup(
      { '/chat/completions': hello },
      { preset, apiKey: 'sk-test', completeAs: 'whole' },
    );
    await provider.complete({
      model: 'm',
      messages: [
        { role: 'user', content: 'time?' },
        {
          role: 'assistant',
          content: '',
          thinking: 'Use the clock.',
          toolCalls: [{ id: 'c1', name: 'clock', arguments: {} }],
        },
        { role: 'tool', content: '12:00', toolCallId: 'c1' },
      ],
    });
    const assistant = sentMessages(server, 0)[1];
    expect(assistant).not.toHaveProperty('reasoning_content');
    expect(assistant).not.toHaveProperty('reasoning');
    expect(assistant).not.toHaveProperty('thinking');
  });
});
