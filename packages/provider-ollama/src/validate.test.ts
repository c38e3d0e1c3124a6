// Keys below a request's top level (messages, their tool calls, tool definitions), through the
// public API against @x/ollama-sim: a typo throws before anything is sent, and every field of a
// reply the provider returned is accepted when the reply is pushed back into the conversation.

import { expectRequestKeyTyposRefused } from '@x/internal/testing';
import type { OllamaSim } from '@x/ollama-sim';
import { describe, expect, it } from 'vitest';
import { simProvider } from './__fixtures__/sim-provider';
import type { ChatMessage, StreamChunk, ToolDefinition } from './types';

const setup = simProvider();

const chatsAt = (sim: OllamaSim) => sim.requests.filter((r) => r.path === '/api/chat');

const weather: ToolDefinition = {
  type: 'function',
  function: {
    name: 'get_current_weather',
    description: 'The weather now',
    parameters: {
      type: 'object',
      properties: { location: { type: 'string' } },
      required: ['location'],
    },
  },
};

describe('OllamaProvider.complete', () => {
  it('refuses a misspelt key at any depth before sending, from complete() and stream()', async () => {
    const { sim, provider } = await setup();
    await expectRequestKeyTyposRefused(provider, 'llama3.2', () => chatsAt(sim).length);
  });

  it("sends OpenAI's developer role as system, which Ollama's templates know", async () => {
    const { sim, provider } = await setup();
    const messages: ChatMessage[] = [
      { role: 'developer', content: 'Answer in French.' },
      { role: 'developer', content: 'Be brief.', name: 'style' },
      { role: 'user', content: 'Hi' },
    ];
    await provider.complete({ model: 'llama3.2', messages });
    for await (const _ of provider.stream({ model: 'llama3.2', messages })) {
      // Read to the end.
    }
    for (const chat of chatsAt(sim)) {
      expect((chat.body as { messages: unknown }).messages).toEqual([
        { role: 'system', content: 'Answer in French.' },
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ]);
    }
    expect(chatsAt(sim)).toHaveLength(2);
    // The caller's messages are not changed.
    expect(messages[0]!.role).toBe('developer');
  });

  it('refuses two tools of one name before sending, naming the second and the first', async () => {
    const { sim, provider } = await setup();
    const tools = [weather, { type: 'function' as const, function: { name: 'f' } }, weather];
    const messages: ChatMessage[] = [{ role: 'user', content: 'Hi' }];
    for (const call of [
      () => provider.complete({ model: 'qwen3:4b', messages, tools }),
      async () => {
        for await (const _ of provider.stream({ model: 'qwen3:4b', messages, tools })) {
          // Refused before the first chunk.
        }
      },
    ]) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RangeError);
      expect((error as Error).message).toMatch(
        /^Expected `request\.tools\[2\]\.function\.name` to be a name no other tool has \(`request\.tools\[0\]` has it too/,
      );
    }
    expect(chatsAt(sim)).toHaveLength(0);
  });

  it("names streamGenerate() for generate()'s `stream` flag and `prompt` for its `messages`", async () => {
    const { sim, provider } = await setup();
    await expect(
      provider.generate({ model: 'llama3.2', prompt: 'hi', stream: true } as never),
    ).rejects.toThrow(
      new TypeError(
        'Unknown option `request.stream`: generate() returns the whole answer and streamGenerate() yields it chunk by chunk, so there is no `stream` flag',
      ),
    );
    await expect(provider.generate({ model: 'llama3.2', messages: [] } as never)).rejects.toThrow(
      new TypeError('Unknown option `request.messages`: did you mean `request.prompt`?'),
    );
    expect(sim.requests).toHaveLength(0);
  });

  it('continues a conversation with tool calls and thinking when each reply is pushed back', async () => {
    const { sim, provider } = await setup();
    const messages: ChatMessage[] = [{ role: 'user', content: 'What is the weather in Paris?' }];
    const first = await provider.complete({ model: 'qwen3:4b', messages, tools: [weather] });
    expect(first.message.toolCalls).toHaveLength(1);
    expect(first.message.thinking).toEqual(expect.any(String));
    messages.push(first.message);
    const call = first.message.toolCalls![0]!;
    messages.push({ role: 'tool', content: '{"celsius":21}', toolName: call.name });

    const second = await provider.complete({ model: 'qwen3:4b', messages, tools: [weather] });
    expect(second.content.length).toBeGreaterThan(0);
    messages.push(second.message, { role: 'user', content: 'And the weather in Rome?' });

    // A streamed reply: the last chunk's response carries the message to push back.
    const chunks: StreamChunk[] = [];
    for await (const chunk of provider.stream({ model: 'qwen3:4b', messages, tools: [weather] })) {
      chunks.push(chunk);
    }
    const streamed = chunks.at(-1)!.response!;
    expect(streamed.message.toolCalls).toHaveLength(1);
    messages.push(streamed.message, {
      role: 'tool',
      content: '{"celsius":25}',
      toolName: streamed.message.toolCalls![0]!.name,
    });
    const last = await provider.complete({ model: 'qwen3:4b', messages, tools: [weather] });
    expect(last.content.length).toBeGreaterThan(0);

    const sent = chatsAt(sim).at(-1)!.body as { messages: Array<Record<string, unknown>> };
    expect(sent.messages.map((m) => m.role)).toEqual([
      'user',
      'assistant',
      'tool',
      'assistant',
      'user',
      'assistant',
      'tool',
    ]);
    expect(sent.messages[1]).toMatchObject({
      thinking: first.message.thinking,
      tool_calls: [{ id: call.id, function: { name: call.name, arguments: call.arguments } }],
    });
  });

  it("accepts an OpenAI reply's tool call with `rawArguments` (a router may send it here), and does not send it", async () => {
    const { sim, provider } = await setup();
    // What `@x/provider-openai` returns as `message`, typed as the provider that made it.
    const openaiReply = {
      role: 'assistant' as const,
      content: '',
      toolCalls: [
        {
          id: 'call_1',
          index: 0,
          name: 'get_current_weather',
          arguments: { location: 'Paris' },
          rawArguments: '{"location":"Paris"}',
        },
      ],
    };
    const messages: ChatMessage[] = [{ role: 'user', content: 'What is the weather in Paris?' }];
    messages.push(openaiReply, { role: 'tool', content: '{"celsius":21}', toolCallId: 'call_1' });
    const answer = await provider.complete({ model: 'llama3.2', messages });
    expect(answer.content.length).toBeGreaterThan(0);
    const sent = chatsAt(sim).at(-1)!.body as { messages: Array<Record<string, unknown>> };
    expect(sent.messages[1]!.tool_calls).toEqual([
      {
        id: 'call_1',
        function: { name: 'get_current_weather', arguments: { location: 'Paris' }, index: 0 },
      },
    ]);
  });
});

describe('generate and chat fields checked before sending', () => {
  const generates = (sim: OllamaSim) => sim.requests.filter((r) => r.path === '/api/generate');

  it.each([
    [{ options: { num_ctx: -5 } }, RangeError, /request\.options\.num_ctx/],
    [{ options: { num_ctx: 1.5 } }, RangeError, /request\.options\.num_ctx/],
    [{ options: { num_ctx: '8192' } }, TypeError, /request\.options\.num_ctx/],
    [{ context: [1e300] }, RangeError, /request\.context/],
    [{ context: [1, -2] }, RangeError, /request\.context/],
    // A string that is not base64: the right type, a wrong value (@x/provider-core's RangeError).
    [{ images: ['not base64 !!!'] }, RangeError, /request\.images\[0\]/],
    [{ images: ['data:image/png,%89PNG'] }, RangeError, /request\.images\[0\]/],
    [{ images: ['QUJD'.repeat(40).concat('Q!==')] }, RangeError, /request\.images\[0\]/],
    // unpadded: Go's standard base64 answers 400 `illegal base64 data at input byte 0`
    [{ images: ['abc'] }, RangeError, /request\.images\[0\]/],
    [{ images: ['QUJD'.repeat(40).concat('QUI')] }, RangeError, /request\.images\[0\]/],
    [{ images: ['QUJD\n'.repeat(40).concat('QU')] }, RangeError, /request\.images\[0\]/],
    [{ images: [5] }, TypeError, /request\.images\[0\]/],
  ])('generate refuses %j', async (fields, type, message) => {
    const { sim, provider } = await setup();
    const error = await provider
      .generate({ model: 'llama3.2', prompt: 'hi', ...fields } as never)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(type);
    expect((error as Error).message).toMatch(message);
    expect(generates(sim)).toHaveLength(0);
  });

  it('chat refuses a bad options.num_ctx and a message image that is not base64', async () => {
    const { sim, provider } = await setup();
    const ask = (extra: object) =>
      provider
        .complete({ model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }], ...extra })
        .catch((e: unknown) => e);
    expect(await ask({ options: { num_ctx: 0 } })).toBeInstanceOf(RangeError);
    const image = await ask({
      messages: [{ role: 'user', content: 'look', images: ['not base64 !!!'] }],
    });
    expect(image).toBeInstanceOf(RangeError);
    expect((image as Error).message).toMatch(/request\.messages\[0\]\.images\[0\]/);
    expect(chatsAt(sim)).toHaveLength(0);
  });

  it('sends raw with an empty system or context (Ollama refuses only non-empty ones) and valid images', async () => {
    const { sim, provider } = await setup();
    await provider.generate({
      model: 'llama3.2',
      prompt: 'hi',
      raw: true,
      system: '',
      context: [],
    });
    await provider.generate({
      model: 'llama3.2',
      prompt: 'hi',
      images: ['iVBORw0KGgo=', 'data:image/png;base64,iVBORw0KGgo=', new Uint8Array([1])],
      options: { num_ctx: 8192 },
    });
    expect(generates(sim)).toHaveLength(2);
    expect(generates(sim)[1]!.body).toMatchObject({
      images: ['iVBORw0KGgo=', 'iVBORw0KGgo=', 'AQ=='],
    });
  });
});
