import { describe, expect, it, vi } from 'vitest';
import { open, send, settlesSoon } from './__fixtures__/client';
import { keysOf } from './__fixtures__/shape';
import { simPerTest } from './__fixtures__/sim-per-test';
import { deltas, sseData, sseEvents } from './__fixtures__/sse';
import type { OllamaSim } from './sim';

const start = simPerTest();

const PATH = '/v1/chat/completions';
const chat = (extra: object = {}) => ({
  model: 'llama3.2',
  messages: [{ role: 'user', content: 'Why is the sky blue?' }],
  ...extra,
});
const WEATHER_TOOL = {
  type: 'function',
  function: {
    name: 'get_current_weather',
    description: 'The weather in a city',
    parameters: {
      type: 'object',
      properties: {
        location: { type: 'string' },
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
      },
      required: ['location', 'unit'],
    },
  },
};

interface Completion {
  id: string;
  created: number;
  choices: {
    index: number;
    message: {
      role: string;
      content: string;
      reasoning?: string;
      tool_calls?: {
        id: string;
        index: number;
        type: string;
        function: { name: string; arguments: string };
      }[];
    };
    finish_reason: string;
    logprobs?: {
      content: {
        token: string;
        logprob: number;
        bytes: number[];
        top_logprobs?: { token: string; logprob: number; bytes: number[] }[];
      }[];
    };
  }[];
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

async function complete(s: OllamaSim, body: object): Promise<Completion> {
  const res = await send(s.url, PATH, { body });
  expect(res.status).toBe(200);
  return JSON.parse(res.text) as Completion;
}

describe('POST /v1/chat/completions', () => {
  it('answers a chat.completion with the fields of Ollama OpenAI layer, in its order', async () => {
    const s = await start();
    const before = Math.floor(Date.now() / 1000);
    const res = await send(s.url, PATH, { body: chat() });
    const after = Math.floor(Date.now() / 1000);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.text.endsWith('}\n')).toBe(true);
    const body = JSON.parse(res.text) as Completion;
    expect(keysOf(body)).toEqual([
      'id',
      'object',
      'created',
      'model',
      'system_fingerprint',
      'choices',
      'usage',
    ]);
    expect(body).toMatchObject({
      object: 'chat.completion',
      model: 'llama3.2',
      system_fingerprint: 'fp_ollama',
    });
    expect(body.id).toMatch(/^chatcmpl-\d{1,3}$/);
    // Unix seconds of the answer: the second may turn between the request and this check.
    expect(body.created).toBeGreaterThanOrEqual(before);
    expect(body.created).toBeLessThanOrEqual(after);
    expect(keysOf(body.choices[0])).toEqual(['index', 'message', 'finish_reason']);
    expect(keysOf(body.choices[0]!.message)).toEqual(['role', 'content']);
    expect(body.choices[0]!.finish_reason).toBe('stop');
    const u = body.usage;
    expect(u.total_tokens).toBe(u.prompt_tokens + u.completion_tokens);
  });

  it('answers what /api/chat answers for the same conversation, with its counts as usage', async () => {
    const s = await start();
    const body = await complete(s, chat());
    const native = JSON.parse(
      (await send(s.url, '/api/chat', { body: chat({ stream: false }) })).text,
    ) as { message: { content: string }; prompt_eval_count: number; eval_count: number };
    expect(body.choices[0]!.message.content).toBe(native.message.content);
    expect(body.usage.prompt_tokens).toBe(native.prompt_eval_count);
    expect(body.usage.completion_tokens).toBe(native.eval_count);
  });

  it('streams a role delta first, one content delta per token, a finish chunk, then [DONE]', async () => {
    const s = await start();
    const whole = await complete(s, chat());
    const res = await send(s.url, PATH, { body: chat({ stream: true }) });
    expect(res.headers['content-type']).toBe('text/event-stream');
    const data = sseData(res.text);
    expect(data.at(-1)).toBe('[DONE]');
    const events = sseEvents(res.text);
    expect(new Set(events.map((e) => e.id)).size).toBe(1);
    expect(new Set(events.map((e) => e.created)).size).toBe(1);
    expect(events.every((e) => e.object === 'chat.completion.chunk')).toBe(true);
    const ds = deltas(res.text);
    expect(ds[0]).toMatchObject({ role: 'assistant' });
    expect(ds.slice(1, -1).every((d) => !('role' in d))).toBe(true);
    expect(ds.map((d) => d.content ?? '').join('')).toBe(whole.choices[0]!.message.content);
    expect(ds.length - 1).toBe(whole.usage.completion_tokens);
    const last = events.at(-1) as { choices: unknown[]; usage?: unknown };
    expect(last.choices).toEqual([{ index: 0, delta: {}, finish_reason: 'stop' }]);
    expect(last.usage).toBeUndefined();
  });

  it('adds a usage chunk with empty choices before [DONE] when stream_options.include_usage is set', async () => {
    const s = await start();
    const whole = await complete(s, chat());
    const res = await send(s.url, PATH, {
      body: chat({ stream: true, stream_options: { include_usage: true } }),
    });
    const events = sseEvents(res.text);
    const usage = events.at(-1)!;
    expect(keysOf(usage)).toEqual([
      'id',
      'object',
      'created',
      'model',
      'system_fingerprint',
      'choices',
      'usage',
    ]);
    expect(usage.choices).toEqual([]);
    expect(usage.usage).toEqual(whole.usage);
    expect(events.slice(0, -1).every((e) => !('usage' in e))).toBe(true);
  });

  it('frames the same events when the stream arrives split inside events and characters', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const s = await start({ reply: () => 'Un café, très noir.' });
    const whole = (await send(s.url, PATH, { body: chat({ stream: true }) })).text;
    s.setFaults([{ route: PATH, fault: { kind: 'split', every: 37, gapMs: 5 } }]);
    const pending = send(s.url, PATH, { body: chat({ stream: true }) });
    let settled = false;
    void pending.then(() => {
      settled = true;
    });
    while (!settled) await vi.advanceTimersByTimeAsync(5);
    const res = await pending;
    expect(res.chunks.length).toBeGreaterThan(sseData(whole).length);
    expect(res.chunks.some((c) => !c.toString('latin1').endsWith('\n\n'))).toBe(true);
    expect(deltas(res.text)).toEqual(deltas(whole));
    expect(
      deltas(res.text)
        .map((d) => d.content ?? '')
        .join(''),
    ).toBe('Un café, très noir.');
  });

  it('paces one event per token at tokensPerSecond, on fake time', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const s = await start({ tokensPerSecond: 10, responseTokens: { min: 5, max: 5 } });
    // As in Ollama the headers leave with the first event, one token time after the start.
    const opening = open(s.url, PATH, chat({ stream: true }));
    expect(await settlesSoon(opening)).toBe(false);
    await vi.advanceTimersByTimeAsync(100);
    const stream = await opening;
    expect(deltas((await stream.next())!.toString())[0]).toMatchObject({ role: 'assistant' });
    const second = stream.next();
    expect(await settlesSoon(second)).toBe(false);
    await vi.advanceTimersByTimeAsync(100);
    expect(deltas((await second)!.toString())).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(300);
    const { chunks } = await stream.rest();
    expect(sseData(Buffer.concat(chunks).toString()).at(-1)).toBe('[DONE]');
    expect(s.stats().streams).toBe(1);
  });

  it('answers a tool call with a call_ id and the arguments as a JSON string', async () => {
    const s = await start();
    const body = await complete(s, {
      ...chat({ messages: [{ role: 'user', content: 'What is the weather in Paris?' }] }),
      tools: [WEATHER_TOOL],
    });
    const choice = body.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBe('');
    const call = choice.message.tool_calls![0]!;
    expect(keysOf(call)).toEqual(['id', 'index', 'type', 'function']);
    expect(call.id).toMatch(/^call_[a-z0-9]+$/);
    expect(call).toMatchObject({ index: 0, type: 'function' });
    expect(call.function.name).toBe('get_current_weather');
    expect(typeof call.function.arguments).toBe('string');
    expect(JSON.parse(call.function.arguments)).toEqual({ location: 'Paris', unit: 'celsius' });
  });

  it('streams a tool call as deltas keyed by index with v1ToolCalls split: id, type and name first, then argument pieces', async () => {
    const s = await start({ v1ToolCalls: 'split' });
    const request = {
      ...chat({ messages: [{ role: 'user', content: 'What is the weather in Paris?' }] }),
      tools: [WEATHER_TOOL],
    };
    const whole = await complete(s, request);
    const res = await send(s.url, PATH, { body: { ...request, stream: true } });
    const calls = deltas(res.text).flatMap(
      (d) => (d.tool_calls ?? []) as { index: number; id?: string; function: Json }[],
    );
    type Json = { name?: string; arguments?: string };
    expect(calls[0]).toMatchObject({
      index: 0,
      id: whole.choices[0]!.message.tool_calls![0]!.id,
      type: 'function',
      function: { name: 'get_current_weather', arguments: '' },
    });
    const pieces = calls.slice(1);
    expect(pieces.length).toBeGreaterThan(2);
    expect(pieces.every((p) => p.index === 0 && p.id === undefined)).toBe(true);
    const args = pieces.map((p) => p.function.arguments).join('');
    expect(args).toBe(whole.choices[0]!.message.tool_calls![0]!.function.arguments);
    const events = sseEvents(res.text);
    expect(
      (events.at(-1) as { choices: { finish_reason: string }[] }).choices[0]!.finish_reason,
    ).toBe('tool_calls');
  });

  it('answers JSON that parses for response_format json_object and json_schema', async () => {
    const s = await start();
    const object = await complete(s, chat({ response_format: { type: 'json_object' } }));
    expect(JSON.parse(object.choices[0]!.message.content)).toEqual(expect.any(Object));
    const schema = {
      type: 'object',
      properties: {
        city: { type: 'string' },
        population: { type: 'integer' },
        capital: { type: 'boolean' },
        size: { type: 'string', enum: ['small', 'large'] },
      },
      required: ['city', 'population', 'capital', 'size'],
    };
    const typed = await complete(
      s,
      chat({
        messages: [{ role: 'user', content: 'Tell me about Lyon.' }],
        response_format: { type: 'json_schema', json_schema: { name: 'city', schema } },
      }),
    );
    expect(JSON.parse(typed.choices[0]!.message.content)).toEqual({
      city: 'Lyon',
      population: 1,
      capital: true,
      size: 'small',
    });
    const streamed = await send(s.url, PATH, {
      body: chat({ stream: true, response_format: { type: 'json_object' } }),
    });
    const text = deltas(streamed.text)
      .map((d) => d.content ?? '')
      .join('');
    expect(JSON.parse(text)).toEqual(expect.any(Object));
  });

  it('returns logprobs in OpenAI shape when asked: one entry per token, top alternatives sorted', async () => {
    const s = await start();
    const plain = await complete(s, chat());
    expect(plain.choices[0]!.logprobs).toBeUndefined();
    const body = await complete(s, chat({ logprobs: true, top_logprobs: 3 }));
    const entries = body.choices[0]!.logprobs!.content;
    expect(entries.map((e) => e.token).join('')).toBe(body.choices[0]!.message.content);
    expect(entries).toHaveLength(body.usage.completion_tokens);
    for (const e of entries) {
      expect(keysOf(e)).toEqual(['token', 'logprob', 'bytes', 'top_logprobs']);
      expect(e.logprob).toBeLessThan(0);
      expect(e.bytes).toEqual([...Buffer.from(e.token, 'utf8')]);
      expect(e.top_logprobs).toHaveLength(3);
      expect(e.top_logprobs![0]).toEqual({ token: e.token, logprob: e.logprob, bytes: e.bytes });
      const values = e.top_logprobs!.map((t) => t.logprob);
      expect(values).toEqual([...values].sort((a, b) => b - a));
    }
    const res = await send(s.url, PATH, { body: chat({ stream: true, logprobs: true }) });
    const chunks = sseEvents(res.text).slice(0, -1) as {
      choices: { delta: { content: string }; logprobs: Completion['choices'][0]['logprobs'] }[];
    }[];
    for (const c of chunks) {
      const choice = c.choices[0]!;
      expect(choice.logprobs!.content).toHaveLength(1);
      expect(choice.logprobs!.content[0]!.token).toBe(choice.delta.content);
      expect(choice.logprobs!.content[0]!.top_logprobs).toBeUndefined();
    }
  });

  it('stops at max_tokens with finish_reason "length", and ignores max_completion_tokens as Ollama does', async () => {
    const s = await start();
    const body = await complete(s, chat({ max_tokens: 3 }));
    expect(body.choices[0]!.finish_reason).toBe('length');
    expect(body.usage.completion_tokens).toBe(3);
    // openai.ChatCompletionRequest has no max_completion_tokens: the answer is the unlimited one.
    const unlimited = await complete(s, chat());
    const ignored = await complete(s, chat({ max_completion_tokens: 3 }));
    expect(ignored.choices[0]!.finish_reason).toBe('stop');
    expect(ignored.usage.completion_tokens).toBe(unlimited.usage.completion_tokens);
    expect(ignored.usage.completion_tokens).toBeGreaterThan(3);
  });

  it('ends the answer before a stop sequence, as /api/chat does with options.stop', async () => {
    const s = await start({ reply: () => 'One fish. Two fish. Red fish.' });
    const body = await complete(s, chat({ stop: ['Red', 'Blue'] }));
    expect(body.choices[0]!.message.content).toBe('One fish. Two fish. ');
    expect(body.choices[0]!.finish_reason).toBe('stop');
    const one = await complete(s, chat({ stop: 'Two' }));
    expect(one.choices[0]!.message.content).toBe('One fish. ');
    const native = JSON.parse(
      (
        await send(s.url, '/api/chat', {
          body: chat({ stream: false, options: { stop: ['Red'] } }),
        })
      ).text,
    ) as { message: { content: string } };
    expect(native.message.content).toBe('One fish. Two fish. ');
  });

  it('gives the same answer for the same seed and another one for another seed', async () => {
    const s = await start();
    const a = await complete(s, chat({ seed: 1, temperature: 0.2 }));
    const b = await complete(s, chat({ seed: 1, temperature: 0.9 }));
    const c = await complete(s, chat({ seed: 2 }));
    expect(a.choices[0]!.message.content).toBe(b.choices[0]!.message.content);
    expect(c.choices[0]!.message.content).not.toBe(a.choices[0]!.message.content);
  });

  it('reasons on a thinking model unless reasoning_effort is "none"', async () => {
    const s = await start();
    const thinking = await complete(s, chat({ model: 'qwen3:4b' }));
    expect(thinking.choices[0]!.message.reasoning).toEqual(expect.any(String));
    expect(keysOf(thinking.choices[0]!.message)).toEqual(['role', 'content', 'reasoning']);
    const none = await complete(s, chat({ model: 'qwen3:4b', reasoning_effort: 'none' }));
    expect(none.choices[0]!.message.reasoning).toBeUndefined();
    const res = await send(s.url, PATH, { body: chat({ model: 'qwen3:4b', stream: true }) });
    const ds = deltas(res.text);
    expect(ds[0]).toEqual({ role: 'assistant', content: '', reasoning: expect.any(String) });
    expect(ds.map((d) => d.reasoning ?? '').join('')).toBe(thinking.choices[0]!.message.reasoning);
  });

  it('reads content parts and base64 images, counting each image in prompt_tokens of a vision model', async () => {
    const s = await start({
      models: [{ name: 'llama3.2' }, { name: 'eyes', capabilities: ['completion', 'vision'] }],
    });
    const withImage = (model: string) => ({
      model,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Why is the sky blue?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          ],
        },
      ],
    });
    for (const [model, imageTokens] of [
      ['eyes', 768],
      ['llama3.2', 0],
    ] as const) {
      const text = await complete(s, chat({ model }));
      const parts = await complete(s, withImage(model));
      // One more message (the image part) of 4 template tokens, and the image's on a vision model.
      expect(parts.usage.prompt_tokens).toBe(text.usage.prompt_tokens + 4 + imageTokens);
    }
  });

  it('answers an assistant turn that carried tool calls, and the tool result, in text', async () => {
    const s = await start();
    const body = await complete(s, {
      model: 'llama3.2',
      tools: [WEATHER_TOOL],
      messages: [
        { role: 'user', content: 'What is the weather in Paris?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'call_1',
              type: 'function',
              function: { name: 'get_current_weather', arguments: '{"location":"Paris"}' },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '18 degrees' },
      ],
    });
    expect(body.choices[0]!.finish_reason).toBe('stop');
    expect(body.choices[0]!.message.content.length).toBeGreaterThan(0);
  });
});

describe('POST /v1/chat/completions errors', () => {
  const cases: [string, unknown, number, string][] = [
    ['an unknown model', chat({ model: 'nope' }), 404, "model 'nope' not found"],
    ['no model', { messages: chat().messages }, 400, 'model is required'],
    [
      'top_logprobs above 20',
      chat({ logprobs: true, top_logprobs: 21 }),
      400,
      'top_logprobs must be between 0 and 20',
    ],
    [
      'an embedding model',
      chat({ model: 'nomic-embed-text' }),
      400,
      '"nomic-embed-text" does not support chat',
    ],
  ];
  for (const [name, body, status, message] of cases) {
    it(`answers ${status} in OpenAI's error shape for ${name}`, async () => {
      const s = await start();
      const res = await send(s.url, PATH, { body });
      expect(res.status).toBe(status);
      expect(res.headers['content-type']).toBe('application/json');
      expect(res.text).toBe(
        `${JSON.stringify({
          error: {
            message,
            type: status === 404 ? 'not_found_error' : 'invalid_request_error',
            param: null,
            code: null,
          },
        })}\n`,
      );
    });
  }

  const rejected: [string, string, string][] = [
    ['an empty body', '', 'EOF'],
    ['a cut body', '{"model":', 'unexpected EOF'],
    [
      'a body that is not an object',
      '"hi"',
      'json: cannot unmarshal string into Go value of type openai.ChatCompletionRequest',
    ],
    ['no messages', '{"model":"llama3.2","messages":[]}', "[] is too short - 'messages'"],
    [
      'messages that are not an array',
      '{"model":"llama3.2","messages":"hi"}',
      'json: cannot unmarshal string into Go struct field ChatCompletionRequest.messages of type []openai.Message',
    ],
    [
      'a max_tokens string',
      '{"model":"llama3.2","max_tokens":"3","messages":[{"role":"user","content":"hi"}]}',
      'json: cannot unmarshal string into Go struct field ChatCompletionRequest.max_tokens of type int',
    ],
    [
      'a stream_options.include_usage string',
      '{"model":"llama3.2","stream_options":{"include_usage":"yes"},"messages":[{"role":"user","content":"hi"}]}',
      'json: cannot unmarshal string into Go struct field StreamOptions.stream_options.include_usage of type bool',
    ],
    [
      'a message without content',
      '{"model":"llama3.2","messages":[{"role":"user"}]}',
      'invalid message content type: <nil>',
    ],
    [
      'an image URL',
      '{"model":"llama3.2","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://x/y.png"}}]}]}',
      'image URLs are not currently supported, please use base64 encoded data instead',
    ],
    [
      'an unknown content part',
      '{"model":"llama3.2","messages":[{"role":"user","content":[{"type":"video"}]}]}',
      'invalid message format',
    ],
    [
      'tool call arguments that are not JSON',
      '{"model":"llama3.2","messages":[{"role":"assistant","content":"","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{"}}]}]}',
      'invalid tool call arguments',
    ],
    [
      'an unknown reasoning_effort',
      '{"model":"qwen3:4b","reasoning_effort":"huge","messages":[{"role":"user","content":"hi"}]}',
      'invalid reasoning value: "huge" (must be "minimal", "low", "medium", "high", "xhigh", "ultra", "max", or "none")',
    ],
  ];
  for (const [name, rawBody, message] of rejected) {
    it(`answers 400 ${JSON.stringify(message)} from the middleware for ${name}`, async () => {
      const s = await start();
      const res = await send(s.url, PATH, { rawBody });
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(JSON.parse(res.text)).toEqual({
        error: { message, type: 'invalid_request_error', param: null, code: null },
      });
    });
  }

  it('answers an unknown /v1 path 404 as text and a wrong method 405, as gin does', async () => {
    const s = await start();
    const unknown = await send(s.url, '/v1/nope', { body: {} });
    expect([unknown.status, unknown.text]).toEqual([404, '404 page not found']);
    const wrong = await send(s.url, PATH);
    expect([wrong.status, wrong.text]).toEqual([405, '405 method not allowed']);
  });
});
