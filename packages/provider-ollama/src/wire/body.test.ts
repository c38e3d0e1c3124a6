import { describe, expect, it } from 'vitest';
import { loadFixture } from '../__fixtures__/server';
import type { ChatRequest } from '../types';
import { validateChatRequest, validateEmbedRequest } from '../validate';
import { chatBodyJson, toChatBody, toEmbedBody } from './body';

describe('toChatBody', () => {
  it('produces the body of fixture 01 when the request uses camelCase fields', () => {
    const fixture = loadFixture('01-chat-nonstream.json');
    const body = toChatBody(
      {
        model: 'llama3.2',
        messages: [
          { role: 'system', content: 'You are a concise assistant.' },
          { role: 'user', content: 'Why is the sky blue? Answer in one sentence.' },
        ],
        temperature: 0.2,
        keepAlive: '10m',
      },
      false,
      8192,
    );
    expect(body).toEqual(fixture.request.body);
  });

  it('sends stream explicitly and no keep_alive when keepAlive is not set', () => {
    const body = toChatBody({ model: 'm', messages: [] }, true, undefined);
    expect(body).toEqual({ model: 'm', messages: [], stream: true });
    expect('keep_alive' in body).toBe(false);
    expect(toChatBody({ model: 'm', messages: [] }, false, undefined).stream).toBe(false);
  });

  it('leaves stream out of the cache key, the other keys in the wire order', () => {
    const request = { model: 'm', messages: [], temperature: 0, keepAlive: '5m' };
    const wire = toChatBody(request, true, undefined);
    const key = toChatBody(request, undefined, undefined);
    expect('stream' in key).toBe(false);
    expect(Object.keys(key)).toEqual(Object.keys(wire).filter((k) => k !== 'stream'));
  });

  it("leaves an application's own message fields off the wire", () => {
    const message = { role: 'user' as const, content: 'hi', id: 'msg-1', at: 123 };
    const plain = { role: 'user' as const, content: 'hi' };
    const body = toChatBody({ model: 'm', messages: [message, plain] }, false, undefined);
    expect(body.messages).toEqual([
      { role: 'user', content: 'hi' },
      { role: 'user', content: 'hi' },
    ]);
  });

  it('maps named sampling fields over the options passthrough', () => {
    const body = toChatBody(
      {
        model: 'm',
        messages: [{ role: 'user', content: 'x' }],
        options: { temperature: 1, mirostat: 2, num_ctx: 1024 },
        temperature: 0,
        topP: 0.5,
        topK: 20,
        seed: 42,
        maxTokens: 64,
        stop: 'END',
        keepAlive: 0,
      },
      false,
      4096,
    );
    expect(body.options).toEqual({
      temperature: 0,
      mirostat: 2,
      top_p: 0.5,
      top_k: 20,
      seed: 42,
      num_predict: 64,
      stop: ['END'],
      num_ctx: 4096,
    });
    expect(body.keep_alive).toBe(0);
  });

  it("leaves out an empty stop list, which Ollama would read as clearing the model's own", () => {
    const request = { model: 'm', messages: [{ role: 'user' as const, content: 'x' }] };
    expect(toChatBody({ ...request, stop: [] }, false, undefined).options).toBeUndefined();
    expect(toChatBody({ ...request, stop: [], seed: 1 }, false, undefined).options).toEqual({
      seed: 1,
    });
    expect(toChatBody({ ...request, stop: ['a'] }, false, undefined).options).toEqual({
      stop: ['a'],
    });
  });

  it('sends the request numCtx as options.num_ctx when the provider picks no window', () => {
    const request = { model: 'm', messages: [{ role: 'user' as const, content: 'x' }] };
    expect(toChatBody({ ...request, numCtx: 8192 }, false, undefined).options).toEqual({
      num_ctx: 8192,
    });
    expect(
      toChatBody({ ...request, numCtx: 8192, options: { num_ctx: 1024 } }, false, undefined)
        .options,
    ).toEqual({ num_ctx: 8192 });
  });

  it('sends the base64 payload of an image given as a data URL', () => {
    const body = toChatBody(
      {
        model: 'm',
        messages: [
          {
            role: 'user',
            content: 'what is this?',
            images: [
              'data:image/png;base64,iVBORw0KGgo=',
              'iVBORw0KGgo=',
              new Uint8Array([1, 2, 3]),
            ],
          },
        ],
      },
      false,
      undefined,
    );
    expect((body.messages as Array<{ images: string[] }>)[0]!.images).toEqual([
      'iVBORw0KGgo=',
      'iVBORw0KGgo=',
      'AQID',
    ]);
  });

  it("sends tool definitions without OpenAI's `strict`, which Ollama's API does not have", () => {
    const parameters = { type: 'object', properties: {} };
    const body = toChatBody(
      {
        model: 'llama3.2',
        messages: [{ role: 'user', content: 'hi' }],
        tools: [{ type: 'function', function: { name: 'f', parameters, strict: true } }],
      },
      true,
      undefined,
    );
    expect(body.tools).toEqual([{ type: 'function', function: { name: 'f', parameters } }]);
  });

  it('maps tools, images, thinking and tool results to the wire names', () => {
    const fixture = loadFixture('14-chat-tool-calls.json');
    const tools = (fixture.request.body as { tools: unknown }).tools as never;
    const body = toChatBody(
      {
        model: 'llama3.2',
        think: 'high',
        format: 'json',
        tools,
        messages: [
          { role: 'user', content: 'look', images: [new Uint8Array([1, 2, 3]), 'AAAA'] },
          {
            role: 'assistant',
            content: '',
            thinking: 'hmm',
            toolCalls: [
              {
                id: 'call_1',
                index: 0,
                name: 'get_current_weather',
                arguments: { location: 'Paris' },
              },
            ],
          },
          { role: 'tool', content: '21C', toolName: 'get_current_weather', toolCallId: 'call_1' },
        ],
      },
      true,
      undefined,
    );
    expect(body.tools).toEqual(tools);
    expect(body.think).toBe('high');
    expect(body.format).toBe('json');
    expect(body.messages).toEqual([
      { role: 'user', content: 'look', images: ['AQID', 'AAAA'] },
      {
        role: 'assistant',
        content: '',
        thinking: 'hmm',
        tool_calls: [
          {
            id: 'call_1',
            function: { name: 'get_current_weather', arguments: { location: 'Paris' }, index: 0 },
          },
        ],
      },
      { role: 'tool', content: '21C', tool_name: 'get_current_weather', tool_call_id: 'call_1' },
    ]);
  });
});

describe('a tool result that names only its call (toolCallId)', () => {
  const call = (id: string, name: string) => ({ id, name, arguments: {} });
  const request: ChatRequest = {
    model: 'llama3.2',
    messages: [
      { role: 'user', content: 'weather and time in Paris?' },
      {
        role: 'assistant',
        content: '',
        toolCalls: [call('call_1', 'get_weather'), call('call_2', 'get_time')],
      },
      { role: 'tool', content: '21C', toolCallId: 'call_1' },
      { role: 'tool', content: '10:00', toolCallId: 'call_2' },
      // An id no earlier call has, and one whose own name wins: sent as given.
      { role: 'tool', content: '?', toolCallId: 'call_9' },
      { role: 'tool', content: '!', toolCallId: 'call_1', toolName: 'mine' },
    ],
  };
  const expected = [
    { role: 'tool', content: '21C', tool_name: 'get_weather', tool_call_id: 'call_1' },
    { role: 'tool', content: '10:00', tool_name: 'get_time', tool_call_id: 'call_2' },
    { role: 'tool', content: '?', tool_call_id: 'call_9' },
    { role: 'tool', content: '!', tool_name: 'mine', tool_call_id: 'call_1' },
  ];

  it('is sent with tool_name, the name of the earlier call with that id (templates read it)', () => {
    expect((toChatBody(request, true, undefined).messages as unknown[]).slice(2)).toEqual(expected);
    const text = JSON.parse(chatBodyJson(request, true, undefined)) as { messages: unknown[] };
    expect(text.messages.slice(2)).toEqual(expected);
  });

  it('takes the latest earlier call of a repeated id, and never a later one', () => {
    const body = toChatBody(
      {
        model: 'llama3.2',
        messages: [
          { role: 'assistant', content: '', toolCalls: [call('c', 'first')] },
          { role: 'assistant', content: '', toolCalls: [call('c', 'second')] },
          { role: 'tool', content: 'a', toolCallId: 'c' },
          { role: 'tool', content: 'b', toolCallId: 'd' },
          { role: 'assistant', content: '', toolCalls: [call('d', 'later')] },
        ],
      },
      true,
      undefined,
    ).messages as Array<{ tool_name?: string }>;
    expect(body[2]?.tool_name).toBe('second');
    expect(body[3]?.tool_name).toBeUndefined();
  });
});

describe('validateChatRequest', () => {
  it('throws a TypeError naming the field when the model is missing', () => {
    expect(() => validateChatRequest({ messages: [] })).toThrow(
      'Expected `request.model` to be a non-empty string (a model name such as "llama3.2"), got `undefined` (undefined)',
    );
  });

  it('rejects a unitless keepAlive string that Ollama would answer with a 400', () => {
    expect(() => validateChatRequest({ model: 'm', messages: [], keepAlive: '10' })).toThrow(
      RangeError,
    );
    expect(() => validateChatRequest({ model: 'm', messages: [], keepAlive: '10m' })).not.toThrow();
    expect(() => validateChatRequest({ model: 'm', messages: [], keepAlive: -1 })).not.toThrow();
  });

  it("accepts a signed zero keepAlive without a unit ('-0', '+0'), as Go's time.ParseDuration does", () => {
    for (const keepAlive of ['0', '-0', '+0']) {
      expect(() => validateChatRequest({ model: 'm', messages: [], keepAlive })).not.toThrow();
    }
    expect(() => validateChatRequest({ model: 'm', messages: [], keepAlive: '-1' })).toThrow(
      /request\.keepAlive/,
    );
  });

  it('throws for a bad role, a bad message and out-of-range sampling values', () => {
    expect(() =>
      validateChatRequest({ model: 'm', messages: [{ role: 'bot', content: '' }] }),
    ).toThrow(/request\.messages\[0\]\.role/);
    expect(() => validateChatRequest({ model: 'm', messages: [{ role: 'user' }] })).toThrow(
      /request\.messages\[0\]\.content/,
    );
    expect(() => validateChatRequest({ model: 'm', messages: [], topP: 2 })).toThrow(RangeError);
    // NaN is a number out of every range: a RangeError, as everywhere in the repository.
    expect(() =>
      validateChatRequest({ model: 'm', messages: [], temperature: Number.NaN }),
    ).toThrow(RangeError);
    expect(() => validateChatRequest({ model: 'm', messages: [], cache: 'sometimes' })).toThrow(
      /request\.cache/,
    );
    expect(() => validateChatRequest({ model: 'm', messages: [], think: 'extreme' })).toThrow(
      /request\.think/,
    );
  });
});

describe('toEmbedBody', () => {
  it('produces the body of fixture 17', () => {
    const fixture = loadFixture('17-embed.json');
    const request = fixture.request.body as { model: string; input: string[] };
    const body = toEmbedBody({ model: request.model, input: request.input, keepAlive: '30m' });
    expect(body).toEqual(fixture.request.body);
    expect(() => validateEmbedRequest({ model: 'm', input: [1] })).toThrow(/request\.input/);
  });
});
