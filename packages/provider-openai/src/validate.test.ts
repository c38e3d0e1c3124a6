// Keys below a request's top level (messages, their tool calls, tool definitions), through the
// public API against @x/ollama-sim's OpenAI-compatible /v1: a typo throws before anything is sent,
// and every field of a reply the provider returned is accepted when the reply is pushed back.

import { expectRequestKeyTyposRefused } from '@x/internal/testing';
import { describe, expect, it } from 'vitest';
import { chatsAt, simSetup } from './__fixtures__/sim-setup';
import type { ChatMessage, StreamChunk, ToolDefinition } from './types';

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

describe('OpenAIProvider.complete', () => {
  it('refuses a misspelt key at any depth before sending, from complete() and stream()', async () => {
    const { sim, provider } = await simSetup();
    await expectRequestKeyTyposRefused(provider, 'llama3.2', () => chatsAt(sim).length);
  });

  it('refuses an empty messages list before sending, naming the field', async () => {
    const { sim, provider } = await simSetup();
    await expect(provider.complete({ model: 'llama3.2', messages: [] })).rejects.toThrow(
      /`request\.messages` to be a non-empty array/,
    );
    expect(chatsAt(sim)).toHaveLength(0);
  });

  it('refuses two tools of one name before sending, a custom tool among them', async () => {
    const { sim, provider } = await simSetup();
    const messages: ChatMessage[] = [{ role: 'user', content: 'Hi' }];
    const twice = [weather, weather];
    await expect(provider.complete({ model: 'llama3.2', messages, tools: twice })).rejects.toThrow(
      /^Expected `request\.tools\[1\]\.function\.name` to be a name no other tool has \(`request\.tools\[0\]` has it too/,
    );
    const custom = { type: 'custom' as const, custom: { name: 'get_current_weather' } };
    await expect(
      provider.complete({ model: 'llama3.2', messages, tools: [weather, custom] }),
    ).rejects.toThrow(/^Expected `request\.tools\[1\]\.custom\.name` to be a name no other tool/);
    expect(chatsAt(sim)).toHaveLength(0);
  });

  it('refuses tool-call arguments JSON cannot write before sending, naming the field', async () => {
    const { sim, provider } = await simSetup();
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const throwing = {
      toJSON() {
        throw new Error('no');
      },
    };
    for (const args of [circular, { n: 10n }, throwing]) {
      const messages = [
        { role: 'user', content: 'x' },
        { role: 'assistant', content: '', toolCalls: [{ id: 'a', name: 'f', arguments: args }] },
        { role: 'tool', content: 'r', toolCallId: 'a' },
      ] as ChatMessage[];
      const request = { model: 'llama3.2', messages };
      // The field, or the path inside it that JSON cannot write (a cycle's, a BigInt's).
      const field = /^Expected `request\.messages\[1\]\.toolCalls\[0\]\.arguments[`.[]/;
      await expect(provider.complete(request)).rejects.toThrow(field);
      await expect(provider.complete(request)).rejects.toBeInstanceOf(TypeError);
      await expect(async () => {
        for await (const _ of provider.stream(request)) break;
      }).rejects.toThrow(field);
    }
    expect(chatsAt(sim)).toHaveLength(0);
  });

  it('continues a conversation with tool calls and reasoning when each reply is pushed back', async () => {
    const { sim, provider } = await simSetup();
    const messages: ChatMessage[] = [{ role: 'user', content: 'What is the weather in Paris?' }];
    const first = await provider.complete({ model: 'qwen3:4b', messages, tools: [weather] });
    expect(first.message.toolCalls).toHaveLength(1);
    expect(first.message.thinking).toEqual(expect.any(String));
    const call = first.message.toolCalls![0]!;
    expect(call.rawArguments).toEqual(expect.any(String));
    messages.push(first.message, { role: 'tool', content: '{"celsius":21}', toolCallId: call.id! });

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
    const streamedCall = streamed.message.toolCalls![0]!;
    messages.push(streamed.message, {
      role: 'tool',
      content: '{"celsius":25}',
      toolCallId: streamedCall.id!,
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
    expect(sent.messages[1]!.tool_calls).toEqual([
      {
        id: call.id,
        type: 'function',
        function: { name: call.name, arguments: call.rawArguments },
      },
    ]);
    expect(sent.messages[6]).toEqual({
      role: 'tool',
      content: '{"celsius":25}',
      tool_call_id: streamedCall.id,
    });
  });
});
