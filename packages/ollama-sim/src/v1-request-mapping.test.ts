import { describe, expect, it } from 'vitest';
import { send } from './__fixtures__/client';
import { simPerTest } from './__fixtures__/sim-per-test';
import type { OllamaSim } from './sim';

// The native request Ollama's OpenAI middleware builds from a /v1 one (openai.FromChatRequest,
// FromCompleteRequest in openai/openai.go), as the `reply` hook sees it.

const start = simPerTest();

type Body = { options: Record<string, unknown>; messages: Record<string, unknown>[] };

/** A simulator whose reply hook keeps every native body it is asked about. */
async function recording(): Promise<{ sim: OllamaSim; bodies: Body[] }> {
  const bodies: Body[] = [];
  const sim = await start({
    reply: ({ body }) => {
      bodies.push(body as Body);
      return undefined;
    },
  });
  return { sim, bodies };
}

async function post(s: OllamaSim, path: string, body: unknown): Promise<[number, string]> {
  const res = await send(s.url, path, { body });
  const parsed = JSON.parse(res.text) as { error?: { message: string } };
  return [res.status, parsed.error?.message ?? ''];
}

const user = [{ role: 'user', content: 'hi' }];

describe('/v1 sampling options', () => {
  it('keeps a chat top_p of 0, and sends only the penalties it was given', async () => {
    const { sim, bodies } = await recording();
    await post(sim, '/v1/chat/completions', { model: 'llama3.2', messages: user, top_p: 0 });
    await post(sim, '/v1/chat/completions', { model: 'llama3.2', messages: user });
    await post(sim, '/v1/chat/completions', {
      model: 'llama3.2',
      messages: user,
      presence_penalty: 0.5,
    });
    expect(bodies.map((b) => b.options)).toEqual([
      { temperature: 1, top_p: 0 },
      { temperature: 1, top_p: 1 },
      { temperature: 1, presence_penalty: 0.5, top_p: 1 },
    ]);
  });

  it('treats a completion top_p of 0 as unset and always sends both penalties', async () => {
    const { sim, bodies } = await recording();
    await post(sim, '/v1/completions', { model: 'llama3.2', prompt: 'hi', top_p: 0 });
    await post(sim, '/v1/completions', {
      model: 'llama3.2',
      prompt: 'hi',
      frequency_penalty: 0.25,
      top_p: 0.5,
    });
    expect(bodies.map((b) => b.options)).toEqual([
      { temperature: 1, frequency_penalty: 0, presence_penalty: 0, top_p: 1 },
      { temperature: 1, frequency_penalty: 0.25, presence_penalty: 0, top_p: 0.5 },
    ]);
  });
});

describe('/v1 messages', () => {
  const calls = [
    {
      id: 'c1',
      type: 'function',
      function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
    },
  ];

  it('names a tool result after its `name`, else the call its tool_call_id answers', async () => {
    const { sim, bodies } = await recording();
    for (const tool of [
      { role: 'tool', tool_call_id: 'c1', content: 'sunny' },
      { role: 'tool', tool_call_id: 'c1', name: 'weather', content: 'sunny' },
      { role: 'tool', tool_call_id: 'c9', content: 'sunny' },
    ]) {
      const messages = [...user, { role: 'assistant', content: '', tool_calls: calls }, tool];
      expect(await post(sim, '/v1/chat/completions', { model: 'llama3.2', messages })).toEqual([
        200,
        '',
      ]);
    }
    expect(bodies.map((b) => b.messages.at(-1))).toEqual([
      { role: 'tool', content: 'sunny', tool_name: 'get_weather', tool_call_id: 'c1' },
      { role: 'tool', content: 'sunny', tool_name: 'weather', tool_call_id: 'c1' },
      { role: 'tool', content: 'sunny', tool_call_id: 'c9' },
    ]);
    expect(bodies[0]!.messages[1]).toEqual({
      role: 'assistant',
      content: '',
      tool_calls: [{ id: 'c1', function: { name: 'get_weather', arguments: { city: 'Paris' } } }],
    });
  });

  it('attaches reasoning, tool calls and the tool call id of a content array only with tool calls', async () => {
    const { sim, bodies } = await recording();
    const parts = [
      { type: 'text', text: 'a' },
      { type: 'text', text: 'b' },
    ];
    const without = { role: 'assistant', content: parts, reasoning: 'r', tool_call_id: 'x' };
    const withCalls = { ...without, tool_calls: calls };
    for (const m of [without, withCalls])
      await post(sim, '/v1/chat/completions', {
        model: 'llama3.2',
        messages: [...user, m, ...user],
      });
    expect(bodies[0]!.messages.slice(1, 3)).toEqual([
      { role: 'assistant', content: 'a' },
      { role: 'assistant', content: 'b' },
    ]);
    expect(bodies[1]!.messages.slice(1, 3)).toEqual([
      { role: 'assistant', content: 'a' },
      {
        role: 'assistant',
        content: 'b',
        thinking: 'r',
        tool_calls: [{ id: 'c1', function: { name: 'get_weather', arguments: { city: 'Paris' } } }],
        tool_call_id: 'x',
      },
    ]);
  });

  it('accepts input_audio parts as media, and answers Ollama’s errors for malformed ones', async () => {
    const { sim, bodies } = await recording();
    const audio = (input_audio: unknown) => ({
      model: 'llama3.2',
      messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio }] }],
    });
    expect(await post(sim, '/v1/chat/completions', audio({ data: 'AAAA', format: 'wav' }))).toEqual(
      [200, ''],
    );
    expect(bodies[0]!.messages).toEqual([{ role: 'user', content: '', images: ['AAAA'] }]);
    for (const [input, error] of [
      ['AAAA', 'invalid input_audio format'],
      [{ format: 'wav' }, 'invalid input_audio format: missing data'],
      [{ data: 'A!AA' }, 'invalid input_audio base64 data: illegal base64 data at input byte 1'],
    ] as const)
      expect(await post(sim, '/v1/chat/completions', audio(input))).toEqual([400, error]);
  });

  it('answers invalid tool call arguments for arguments that are JSON but not an object', async () => {
    const { sim } = await recording();
    const call = (args: string) => [
      ...user,
      {
        role: 'assistant',
        content: '',
        tool_calls: [{ id: 'c', function: { name: 'f', arguments: args } }],
      },
    ];
    for (const args of ['"x"', '[1]', '5'])
      expect(
        await post(sim, '/v1/chat/completions', { model: 'llama3.2', messages: call(args) }),
      ).toEqual([400, 'invalid tool call arguments']);
    expect(
      await post(sim, '/v1/chat/completions', { model: 'llama3.2', messages: call('null') }),
    ).toEqual([200, '']);
  });
});
