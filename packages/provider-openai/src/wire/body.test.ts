import { describe, expect, it } from 'vitest';
import {
  cacheKeyBody,
  chatBodyJson,
  toChatBody,
  toEmbedBody,
  toStreamBody,
  wireMessage,
} from './body';
import { imageUrl } from './content-parts';

const openai = {
  maxTokensField: 'max_completion_tokens',
  seedField: 'seed',
  embeddingsEncoding: 'base64',
  streamUsage: true,
} as const;
const vllm = {
  maxTokensField: 'max_tokens',
  seedField: 'seed',
  embeddingsEncoding: 'float',
  streamUsage: true,
} as const;

describe('wireMessage', () => {
  it('returns a plain { role, content } message as it is, without a copy', () => {
    const message = { role: 'user' as const, content: 'hi' };
    expect(wireMessage(message)).toBe(message);
  });

  it('maps images to image_url parts, tool calls to JSON strings and leaves thinking out', () => {
    expect(
      wireMessage({
        role: 'assistant',
        content: '',
        thinking: 'hidden',
        toolCalls: [
          { id: 'c1', name: 'f', arguments: { a: 1 } },
          { id: 'c2', name: 'g', arguments: {}, rawArguments: '{"b": 2}' } as never,
        ],
      }),
    ).toEqual({
      role: 'assistant',
      content: null,
      tool_calls: [
        { id: 'c1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } },
        { id: 'c2', type: 'function', function: { name: 'g', arguments: '{"b": 2}' } },
      ],
    });
    expect(
      wireMessage({ role: 'user', content: 'look', images: ['https://x.test/a.png'] }),
    ).toEqual({
      role: 'user',
      content: [
        { type: 'text', text: 'look' },
        { type: 'image_url', image_url: { url: 'https://x.test/a.png' } },
      ],
    });
  });
});

describe('imageUrl', () => {
  it('makes data URLs of bytes and bare base64 with the type read from the first bytes', () => {
    const jpeg = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0]);
    expect(imageUrl(jpeg)).toBe(`data:image/jpeg;base64,${Buffer.from(jpeg).toString('base64')}`);
    const gif = Buffer.from('GIF89a').toString('base64');
    expect(imageUrl(gif)).toBe(`data:image/gif;base64,${gif}`);
    expect(imageUrl('data:image/webp;base64,AAAA')).toBe('data:image/webp;base64,AAAA');
  });
});

describe('toChatBody', () => {
  it("writes maxTokens in the dialect's field and lets named fields win over extraBody", () => {
    const request = {
      model: 'm',
      messages: [{ role: 'user' as const, content: 'x' }],
      maxTokens: 5,
      temperature: 0,
      extraBody: { top_k: 40, temperature: 1 },
    };
    expect(toChatBody(request, openai)).toEqual({
      top_k: 40,
      temperature: 0,
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
      max_completion_tokens: 5,
    });
    expect(toChatBody(request, vllm)).toMatchObject({ max_tokens: 5 });
  });

  it("sends a tool's `strict` (structured outputs) as given", () => {
    const tools = [
      { type: 'function' as const, function: { name: 'f', parameters: {}, strict: true } },
    ];
    const request = { model: 'm', messages: [{ role: 'user' as const, content: 'x' }], tools };
    expect(toChatBody(request, openai).tools).toEqual(tools);
  });

  it('adds stream fields only to the streamed body, stream_options only where accepted', () => {
    const body = { model: 'm' };
    expect(toStreamBody(body, openai)).toEqual({
      model: 'm',
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(toStreamBody(body, { ...vllm, streamUsage: false })).toEqual({
      model: 'm',
      stream: true,
    });
    expect(body).toEqual({ model: 'm' });
  });

  it('keeps an extraBody field named __proto__ as a field, never as the prototype', () => {
    const extraBody = JSON.parse('{"__proto__":{"polluted":true},"top_k":5}');
    const body = toStreamBody(toChatBody({ model: 'm', messages: [], extraBody }, openai), openai);
    expect(Object.getPrototypeOf(body)).toBe(Object.prototype);
    expect((body as { polluted?: boolean }).polluted).toBeUndefined();
    expect(JSON.parse(JSON.stringify(body))).toEqual(
      JSON.parse(
        '{"__proto__":{"polluted":true},"top_k":5,"model":"m","messages":[],"stream":true,"stream_options":{"include_usage":true}}',
      ),
    );
  });
});

describe('chatBodyJson', () => {
  const requests = [
    { model: 'gpt-4o-mini', messages: [] },
    {
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system' as const, content: 'You are a concise assistant.' },
        { role: 'user' as const, content: 'Say "hi"\n\ttwice \\ \u0001 é 😀 \ud800' },
        { content: 'keys in another order', role: 'user' as const },
      ],
    },
    {
      model: 'o3',
      messages: [
        { role: 'user' as const, content: 'look', images: ['data:image/png;base64,iVBORw0KGgo='] },
        {
          role: 'assistant' as const,
          content: '',
          toolCalls: [{ id: 'c1', name: 'f', arguments: { a: 1 } }],
        },
        { role: 'tool' as const, content: '21C', toolCallId: 'c1' },
        { role: 'user' as const, content: 'named', name: 'ann' },
      ],
      temperature: 0.2,
      topP: 0.5,
      seed: 42,
      maxTokens: 64,
      stop: ['\n', 'User:'],
      tools: [{ type: 'function' as const, function: { name: 'f', parameters: {} } }],
      toolChoice: 'auto' as const,
      parallelToolCalls: false,
      responseFormat: { type: 'json_object' as const },
      logprobs: true,
      topLogprobs: 2,
      frequencyPenalty: 0.1,
      presencePenalty: -0.1,
      logitBias: { '50256': -100 },
      reasoningEffort: 'low' as const,
      user: 'u-1',
      extraBody: { top_k: 20, 'odd "key"': [1, null], skipped: undefined },
    },
    {
      model: 'm',
      messages: [{ role: 'user' as const, content: 'x' }],
      extraBody: JSON.parse('{"__proto__": {"polluted": true}, "stream": false}'),
    },
  ];

  it('is the JSON text of the body, streamed or not, with and without stream_options', () => {
    for (const request of requests) {
      for (const dialect of [openai, vllm, { ...vllm, streamUsage: false }]) {
        const body = toChatBody(request as never, dialect);
        expect(chatBodyJson(body, false, dialect)).toBe(JSON.stringify(body));
        expect(chatBodyJson(body, true, dialect)).toBe(JSON.stringify(toStreamBody(body, dialect)));
      }
    }
  });
});

describe('stop', () => {
  it("leaves out an empty list, which OpenAI's spec refuses (minItems: 1), and sends the others", () => {
    const request = { model: 'm', messages: [{ role: 'user' as const, content: 'x' }] };
    for (const dialect of [openai, vllm]) {
      expect(toChatBody({ ...request, stop: [] }, dialect)).not.toHaveProperty('stop');
      expect(toChatBody({ ...request, stop: ['a'] }, dialect).stop).toEqual(['a']);
      expect(toChatBody({ ...request, stop: 'a' }, dialect).stop).toBe('a');
    }
  });
});

describe('stream_options', () => {
  const ask = (extraBody: Record<string, unknown>) => ({
    model: 'm',
    messages: [{ role: 'user' as const, content: 'x' }],
    extraBody,
  });

  it('keeps the fields of extraBody.stream_options in a streamed body, include_usage over them', () => {
    const given = {
      continuous_usage_stats: true,
      include_obfuscation: false,
      include_usage: false,
    };
    for (const dialect of [openai, vllm]) {
      const body = toChatBody(ask({ stream_options: given }), dialect);
      const sent = JSON.parse(chatBodyJson(body, true, dialect));
      expect(sent.stream_options).toEqual({
        continuous_usage_stats: true,
        include_obfuscation: false,
        include_usage: true,
      });
      expect(toStreamBody(body, dialect).stream_options).toEqual(sent.stream_options);
    }
    expect(given).toEqual({
      continuous_usage_stats: true,
      include_obfuscation: false,
      include_usage: false,
    });
  });

  it('asks for the usage alone when extraBody.stream_options is not an object', () => {
    for (const given of [null, 'yes', [1]]) {
      const body = toChatBody(ask({ stream_options: given }), openai);
      expect(JSON.parse(chatBodyJson(body, true, openai)).stream_options).toEqual({
        include_usage: true,
      });
    }
  });

  it('sends extraBody.stream_options as given where the dialect asks for no usage', () => {
    const dialect = { ...vllm, streamUsage: false };
    const body = toChatBody(ask({ stream_options: { continuous_usage_stats: true } }), dialect);
    expect(JSON.parse(chatBodyJson(body, true, dialect)).stream_options).toEqual({
      continuous_usage_stats: true,
    });
  });

  it('leaves extraBody.stream_options out of a body that is not streamed (a 400 without stream)', () => {
    const body = toChatBody(
      ask({ stream_options: { continuous_usage_stats: true }, top_k: 4 }),
      vllm,
    );
    expect(JSON.parse(chatBodyJson(body, false, vllm))).toEqual({
      top_k: 4,
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(body.stream_options).toEqual({ continuous_usage_stats: true });
  });
});

describe('cacheKeyBody', () => {
  const request = {
    model: 'm',
    messages: [{ role: 'user' as const, content: 'x' }],
    temperature: 0,
    verbosity: 'low' as const,
  };

  it('is the body itself when no field of it only routes the request', () => {
    const body = toChatBody(request, openai);
    expect(cacheKeyBody(body)).toBe(body);
  });

  it('leaves out service_tier, prompt_cache_key and safety_identifier, named or in extraBody', () => {
    const plain = toChatBody(request, openai);
    const named = toChatBody(
      { ...request, serviceTier: 'flex', promptCacheKey: 'k', safetyIdentifier: 'u' },
      openai,
    );
    const extra = toChatBody({ ...request, extraBody: { service_tier: 'on_demand' } }, openai);
    expect(named).toMatchObject({
      service_tier: 'flex',
      prompt_cache_key: 'k',
      safety_identifier: 'u',
    });
    expect(cacheKeyBody(named)).toEqual(plain);
    expect(cacheKeyBody(extra)).toEqual(plain);
    // What changes the answer stays in the key.
    expect(cacheKeyBody(plain)).toMatchObject({ verbosity: 'low', temperature: 0 });
  });
});

describe('toEmbedBody', () => {
  it("asks for the dialect's encoding unless the request names one", () => {
    expect(toEmbedBody({ model: 'e', input: 'a' }, openai)).toEqual({
      model: 'e',
      input: 'a',
      encoding_format: 'base64',
    });
    expect(
      toEmbedBody({ model: 'e', input: ['a'], encodingFormat: 'float', dimensions: 8 }, openai),
    ).toEqual({
      model: 'e',
      input: ['a'],
      encoding_format: 'float',
      dimensions: 8,
    });
  });
});
