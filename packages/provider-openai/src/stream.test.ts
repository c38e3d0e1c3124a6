import { describe, expect, it, vi } from 'vitest';
import {
  bytesOf,
  chunk,
  DONE,
  json,
  sse,
  streamOf,
  until,
  usageChunk,
} from './__fixtures__/server';
import { ask, chats, collect, setup } from './__fixtures__/setup';
import {
  isIncompleteStreamError,
  isOpenAIStreamError,
  isOpenAITimeoutError,
  isRateLimitedError,
} from './errors';

const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    parameters: { type: 'object', properties: { city: { type: 'string' } } },
  },
};

/** Tool-call deltas as OpenAI streams them: two calls, their arguments in small pieces. */
const toolCallEvents = [
  chunk({
    role: 'assistant',
    content: null,
    tool_calls: [
      {
        index: 0,
        id: 'call_A',
        type: 'function',
        function: { name: 'get_weather', arguments: '' },
      },
    ],
    refusal: null,
  }),
  chunk({ tool_calls: [{ index: 0, function: { arguments: '{"ci' } }] }),
  chunk({ tool_calls: [{ index: 0, function: { arguments: 'ty": "Par' } }] }),
  chunk({
    tool_calls: [
      {
        index: 1,
        id: 'call_B',
        type: 'function',
        function: { name: 'get_weather', arguments: '' },
      },
    ],
  }),
  chunk({ tool_calls: [{ index: 0, function: { arguments: 'is"}' } }] }),
  chunk({ tool_calls: [{ index: 1, function: { arguments: '{"city": "Oslo"}' } }] }),
  chunk({}, 'tool_calls'),
  usageChunk(40, 30),
  DONE,
];

/** The two calls the tests' streams hold (`toolCallEvents`, or one delta with both), as parsed. */
const PARIS_AND_OSLO_CALLS = [
  {
    id: 'call_A',
    index: 0,
    name: 'get_weather',
    arguments: { city: 'Paris' },
    rawArguments: '{"city": "Paris"}',
  },
  {
    id: 'call_B',
    index: 1,
    name: 'get_weather',
    arguments: { city: 'Oslo' },
    rawArguments: '{"city": "Oslo"}',
  },
];

describe('OpenAIProvider.stream', () => {
  it('yields the text of each event and ends with the complete response and its usage', async () => {
    const { server, provider } = await setup({
      '/chat/completions': sse(streamOf('The', ' sky', ' is blue.')),
    });
    const chunks = await collect(provider.stream(ask()));
    expect(chunks.map((c) => c.content)).toEqual(['The', ' sky', ' is blue.', '']);
    const last = chunks.at(-1)!;
    expect(last.done).toBe(true);
    expect(last.response).toMatchObject({
      content: 'The sky is blue.',
      finishReason: 'stop',
      usage: { promptTokens: 19, completionTokens: 10, totalTokens: 29 },
      id: 'chatcmpl-BK7oQgNw8h3Rz2QeTfX9pL1c',
      attempts: 1,
    });
    expect(last.response!.timings.firstTokenMs).toBeGreaterThanOrEqual(0);
    const [sent] = chats(server);
    expect(sent!.json).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(sent!.headers.accept).toBe('text/event-stream');
  });

  it('assembles tool calls from deltas interleaved by index, also when every byte is its own read', async () => {
    for (const writes of [toolCallEvents, bytesOf(toolCallEvents.join(''), 1)]) {
      const { provider } = await setup({ '/chat/completions': sse(writes) });
      const chunks = await collect(provider.stream(ask('Weather?', { tools: [weatherTool] })));
      const calls = chunks.flatMap((c) => c.toolCalls ?? []);
      expect(calls).toEqual(PARIS_AND_OSLO_CALLS);
      expect(chunks.at(-1)!.response).toMatchObject({
        finishReason: 'tool_calls',
        toolCalls: PARIS_AND_OSLO_CALLS,
        usage: { promptTokens: 40, completionTokens: 30 },
      });
    }
  });

  it('keeps two calls apart that one delta numbers alike but gives their own ids (ai-dynamo)', async () => {
    const call = (id: string, city: string) => ({
      index: 0,
      id,
      type: 'function',
      function: { name: 'get_weather', arguments: `{"city": "${city}"}` },
    });
    const events = [
      chunk({ role: 'assistant', tool_calls: [call('call_A', 'Paris'), call('call_B', 'Oslo')] }),
      chunk({}, 'tool_calls'),
      DONE,
    ];
    const { provider } = await setup({ '/chat/completions': sse(events) });
    const chunks = await collect(provider.stream(ask('Weather?', { tools: [weatherTool] })));
    expect(chunks.at(-1)!.response!.toolCalls).toEqual(PARIS_AND_OSLO_CALLS);
  });

  it('decodes characters whose UTF-8 bytes are split across reads', async () => {
    const text = ['héllo wörld', ' — 你好 🌍', ' ok'];
    const { provider } = await setup({
      '/chat/completions': sse(bytesOf(streamOf(...text).join(''), 3)),
    });
    const chunks = await collect(provider.stream(ask()));
    expect(chunks.at(-1)!.response!.content).toBe(text.join(''));
  });

  it('streams reasoning text apart from the answer', async () => {
    const { provider } = await setup({
      '/chat/completions': sse([
        chunk({ role: 'assistant', content: '', reasoning_content: 'Think' }),
        chunk({ reasoning_content: 'ing.' }),
        chunk({ content: 'Answer' }),
        chunk({}, 'stop'),
        usageChunk(),
        DONE,
      ]),
    });
    const chunks = await collect(provider.stream(ask()));
    expect(chunks.map((c) => c.thinking)).toEqual(['Think', 'ing.', undefined, undefined]);
    expect(chunks.at(-1)!.response).toMatchObject({ thinking: 'Thinking.', content: 'Answer' });
  });

  it('ends with the usage a server sends with its finish reason, without waiting for [DONE]', async () => {
    // Mistral and Groq put the usage in the last content event; nothing after it is awaited.
    const { provider } = await setup(
      {
        '/chat/completions': async (_req, res) => {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.write(chunk({ role: 'assistant', content: 'Hi' }));
          res.write(
            chunk({}, 'stop', {
              usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
            }),
          );
          // The connection stays open: a client that waited for [DONE] would hang here.
        },
      },
      { preset: 'mistral' },
    );
    const chunks = await collect(provider.stream(ask()));
    expect(chunks.at(-1)!.response).toMatchObject({ content: 'Hi', usage: { totalTokens: 4 } });
  });

  it('does not send stream_options to Mistral, which refuses it', async () => {
    const { server, provider } = await setup(
      { '/chat/completions': sse(streamOf('ok')) },
      { preset: 'mistral' },
    );
    await collect(provider.stream(ask()));
    expect(chats(server)[0]!.json).not.toHaveProperty('stream_options');
    expect(chats(server)[0]!.json).toMatchObject({ stream: true });
  });

  it('throws OpenAIStreamError with the partial answer on an error event, without retrying', async () => {
    const { server, provider } = await setup({
      '/chat/completions': sse([
        chunk({ role: 'assistant', content: 'Part' }),
        chunk({ content: 'ial' }),
        'data: {"error":{"message":"The server had an error while processing your request.","type":"server_error","param":null,"code":null}}\n\n',
      ]),
    });
    const seen: string[] = [];
    const error = await (async () => {
      for await (const c of provider.stream(ask())) seen.push(c.content);
    })().catch((e: unknown) => e);
    expect(isOpenAIStreamError(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'X_PROVIDER_OPENAI_STREAM',
      reason: 'server-error',
      type: 'server_error',
      serverMessage: 'The server had an error while processing your request.',
      partial: { content: 'Partial', chunks: 2 },
    });
    expect(seen).toEqual(['Part', 'ial']);
    expect(chats(server)).toHaveLength(1);
  });

  it('reads events sent with text/event-stream parameters, text/plain, application/x-ndjson or no content type', async () => {
    for (const type of [
      'text/event-stream; charset=utf-8',
      'text/plain; charset=utf-8',
      'application/x-ndjson',
      undefined,
    ]) {
      const { provider } = await setup({
        '/chat/completions': (_req, res) => {
          res.writeHead(200, type === undefined ? {} : { 'content-type': type });
          res.end(streamOf('Hi', ' you').join(''));
        },
      });
      const chunks = await collect(provider.stream(ask()));
      expect(chunks.at(-1)!.response, String(type)).toMatchObject({ content: 'Hi you' });
    }
  });

  it('throws a server-error OpenAIStreamError quoting an error event whose data is plain text', async () => {
    const { server, provider } = await setup({
      '/chat/completions': sse([
        chunk({ content: 'Part' }),
        'event: error\ndata: model crashed\n\n',
      ]),
    });
    const error = await collect(provider.stream(ask())).catch((e: unknown) => e);
    expect(isOpenAIStreamError(error)).toBe(true);
    expect(error).toMatchObject({
      reason: 'server-error',
      serverMessage: 'model crashed',
      message: `${new URL(server.url).host} stream failed: model crashed`,
      partial: { content: 'Part' },
    });
  });

  it('throws IncompleteStreamError with the partial answer when the body ends before [DONE]', async () => {
    const { provider } = await setup({
      '/chat/completions': sse([chunk({ role: 'assistant', content: 'cut' })]),
    });
    const error = await collect(provider.stream(ask())).catch((e: unknown) => e);
    expect(isIncompleteStreamError(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'X_PROVIDER_OPENAI_INCOMPLETE_STREAM',
      partial: { content: 'cut' },
    });
  });

  it('retries a 429 that arrives before the stream opens', async () => {
    const { server, provider } = await setup({
      '/chat/completions': [
        json(
          429,
          { error: { message: 'slow down', type: 'requests', code: 'rate_limit_exceeded' } },
          {
            'retry-after-ms': '5',
          },
        ),
        sse(streamOf('ok')),
      ],
    });
    const chunks = await collect(provider.stream(ask()));
    expect(chunks.at(-1)!.response).toMatchObject({ content: 'ok', attempts: 2 });
    expect(chats(server)).toHaveLength(2);
  });

  it('throws an idle OpenAITimeoutError with the partial answer when the server stalls', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    const { server, provider } = await setup(
      {
        '/chat/completions': (_req, res) => {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.write(chunk({ role: 'assistant', content: 'first' }));
        },
      },
      { timeouts: { idleMs: 5_000 } },
    );
    const seen: string[] = [];
    const pending = (async () => {
      for await (const c of provider.stream(ask())) seen.push(c.content);
    })().catch((e: unknown) => e);
    await until(() => seen.length === 1);
    await vi.advanceTimersByTimeAsync(4_000);
    expect(seen).toEqual(['first']);
    await vi.advanceTimersByTimeAsync(1_500);
    const error = await pending;
    expect(isOpenAITimeoutError(error)).toBe(true);
    expect(error).toMatchObject({
      timeout: 'idle',
      retryable: false,
      partial: { content: 'first' },
    });
    await until(() => server.aborted() === 1);
  });

  it('aborts the request and frees the socket when the caller leaves the loop early', async () => {
    const { server, provider } = await setup({
      '/chat/completions': (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(chunk({ role: 'assistant', content: 'one' }));
        res.write(chunk({ content: 'two' }));
      },
    });
    for await (const c of provider.stream(ask())) {
      expect(c.content).toBe('one');
      break;
    }
    await until(() => server.aborted() === 1);
    expect(provider.stats()).toMatchObject({ inFlight: 0, cancelled: 1, failures: 0 });
  });

  it('rejects with the signal reason when aborted mid-stream', async () => {
    const { server, provider } = await setup({
      '/chat/completions': (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(chunk({ role: 'assistant', content: 'one' }));
      },
    });
    const controller = new AbortController();
    const reason = new Error('stop');
    const error = await (async () => {
      for await (const _ of provider.stream(ask('x', { signal: controller.signal }))) {
        controller.abort(reason);
      }
    })().catch((e: unknown) => e);
    expect(error).toBe(reason);
    await until(() => server.aborted() === 1);
  });

  it('replays a cached answer as a stream', async () => {
    const { server, provider } = await setup({ '/chat/completions': sse(streamOf('A', 'B')) });
    await collect(provider.stream(ask('x', { temperature: 0 })));
    const replay = await collect(provider.stream(ask('x', { temperature: 0 })));
    expect(replay.map((c) => c.content)).toEqual(['A', 'B', '']);
    expect(replay.at(-1)!.response).toMatchObject({ cached: true, content: 'AB' });
    expect(chats(server)).toHaveLength(1);
  });

  it('ignores keep-alive comments between events', async () => {
    const { provider } = await setup({
      '/chat/completions': sse([
        ': keep-alive\n\n',
        ...streamOf('x').slice(0, 2),
        ': keep-alive\n\n',
        ...streamOf('x').slice(2),
      ]),
    });
    const chunks = await collect(provider.stream(ask()));
    expect(chunks.at(-1)!.response!.content).toBe('x');
  });

  it('types a 429 before the stream as RateLimitedError when retries are off', async () => {
    const { provider } = await setup(
      { '/chat/completions': json(429, { error: { message: 'slow', type: 'requests' } }) },
      { retry: false },
    );
    const error = await collect(provider.stream(ask())).catch((e: unknown) => e);
    expect(isRateLimitedError(error)).toBe(true);
  });
});
