// What real OpenAI-compatible servers send and accept where they differ from OpenAI, each replayed
// by a loopback server as that server's own documentation or SDK describes it.
import { describe, expect, it } from 'vitest';
import {
  chunk,
  completion,
  DONE,
  type Handler,
  json,
  sse,
  streamOf,
  usage,
} from './__fixtures__/server';
import { ask, chats, collect, setup } from './__fixtures__/setup';

/**
 * Mistral's `/chat/completions`: its request schema lists its fields and sets
 * `additionalProperties: false`, so any other key is a 422 `extra_forbidden` (ChatCompletionRequest
 * in github.com/mistralai/platform-docs-public, public/openapi.yaml; the error body as users report
 * it for `stream_options`, e.g. dnakov/anon-kode#53).
 */
const MISTRAL_FIELDS = new Set([
  'model',
  'temperature',
  'top_p',
  'max_tokens',
  'stream',
  'stop',
  'random_seed',
  'metadata',
  'messages',
  'response_format',
  'tools',
  'tool_choice',
  'presence_penalty',
  'frequency_penalty',
  'n',
  'prediction',
  'parallel_tool_calls',
  'reasoning_effort',
  'prompt_mode',
  'guardrails',
  'prompt_cache_key',
  'service_tier',
  'safe_prompt',
]);

const mistral: Handler = (_req, res, received) => {
  const extra = Object.keys(received.json ?? {}).filter((key) => !MISTRAL_FIELDS.has(key));
  if (extra.length > 0) {
    const detail = extra.map((key) => ({
      type: 'extra_forbidden',
      loc: ['body', key],
      msg: 'Extra inputs are not permitted',
    }));
    res.writeHead(422, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        object: 'error',
        message: { detail },
        type: 'invalid_request_error',
        param: null,
        code: null,
      }),
    );
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(completion({ content: 'Bonjour' })));
};

describe('the mistral preset', () => {
  it('sends seed as random_seed, which Mistral accepts, instead of seed, which it refuses', async () => {
    const { server, provider } = await setup(
      { '/chat/completions': mistral },
      { preset: 'mistral', cache: false },
    );
    const whole = await provider.complete({ ...ask('Salut', { seed: 42 }), maxTokens: 8 });
    expect(whole.content).toBe('Bonjour');
    expect(chats(server)[0]!.json).toMatchObject({ random_seed: 42, max_tokens: 8 });
    expect(chats(server)[0]!.json).not.toHaveProperty('seed');
  });

  it("reads Mistral's model_length as length: the model's window ran out", async () => {
    const { provider } = await setup(
      { '/chat/completions': json(200, completion({ content: 'Long' }, {}, 'model_length')) },
      { preset: 'mistral' },
    );
    expect((await provider.complete(ask())).finishReason).toBe('length');
  });

  it('still sends seed under its own name to the other presets', async () => {
    const { server, provider } = await setup(
      { '/chat/completions': json(200, completion({ content: 'ok' })) },
      { preset: 'together' },
    );
    await provider.complete(ask('x', { seed: 7 }));
    expect(chats(server)[0]!.json).toMatchObject({ seed: 7 });
    expect(chats(server)[0]!.json).not.toHaveProperty('random_seed');
  });
});

describe('the together preset', () => {
  // Together's finish reasons are stop, eos, length, tool_calls and function_call (its API
  // spec, as generated into togethercomputer/together-go's ChatCompletionChoicesFinishReason).
  it("reads Together's eos as stop, streamed and whole", async () => {
    const { provider } = await setup(
      {
        '/chat/completions': [
          sse([
            chunk({ role: 'assistant', content: 'Hi' }),
            chunk({}, 'eos', { usage: usage(5, 1) }),
            DONE,
          ]),
          json(200, completion({ content: 'Hi' }, {}, 'eos')),
        ],
      },
      { preset: 'together', cache: false },
    );
    const chunks = await collect(provider.stream(ask()));
    expect(chunks.at(-1)!.response).toMatchObject({ content: 'Hi', finishReason: 'stop' });
    expect((await provider.complete({ ...ask(), cache: 'bypass' })).finishReason).toBe('stop');
  });

  it('reads eos or function_call as tool_calls when the model called tools', async () => {
    const call = {
      index: 0,
      id: 'call_1',
      type: 'function',
      function: { name: 'get_weather', arguments: '{"city":"Oslo"}' },
    };
    const { provider } = await setup(
      {
        '/chat/completions': [
          json(200, completion({ tool_calls: [call] }, {}, 'eos')),
          json(200, completion({ tool_calls: [call] }, {}, 'function_call')),
        ],
      },
      { preset: 'together', cache: false },
    );
    const first = await provider.complete(ask());
    const second = await provider.complete(ask());
    expect([first.finishReason, second.finishReason]).toEqual(['tool_calls', 'tool_calls']);
    expect(first.toolCalls[0]).toMatchObject({ name: 'get_weather', arguments: { city: 'Oslo' } });
  });
});

describe('the deepseek preset', () => {
  it("counts DeepSeek's prompt_cache_hit_tokens as cached prompt tokens", async () => {
    // DeepSeek's usage: prompt_cache_hit_tokens and prompt_cache_miss_tokens beside the counts
    // (its context-caching guide and Create Chat Completion reference).
    const deepseekUsage = {
      prompt_tokens: 320,
      completion_tokens: 180,
      total_tokens: 500,
      prompt_cache_hit_tokens: 256,
      prompt_cache_miss_tokens: 64,
    };
    const { provider } = await setup(
      {
        '/chat/completions': json(200, {
          ...completion({ content: 'ok' }),
          usage: deepseekUsage,
        }),
      },
      { preset: 'deepseek' },
    );
    const answer = await provider.complete(ask());
    expect(answer.usage).toMatchObject({ promptTokens: 320, cachedPromptTokens: 256 });
  });

  it("prefers OpenAI's prompt_tokens_details.cached_tokens when both are sent", async () => {
    const { provider } = await setup(
      {
        '/chat/completions': json(200, {
          ...completion({ content: 'ok' }),
          usage: usage(19, 10, { prompt_cache_hit_tokens: 3 }),
        }),
      },
      { preset: 'deepseek' },
    );
    expect((await provider.complete(ask())).usage.cachedPromptTokens).toBe(0);
  });
});

describe('event streams framed their own way', () => {
  const words = ['The', ' sky', ' is', ' blue.'];
  const events = streamOf(...words);

  /** The answer of `writes`, through `complete()` and `stream()`, each from a server of its own. */
  async function contents(writes: Array<string | Buffer>): Promise<string[]> {
    const out: string[] = [];
    for (const read of ['complete', 'stream'] as const) {
      const { provider } = await setup({ '/chat/completions': sse(writes) });
      out.push(
        read === 'complete'
          ? (await provider.complete(ask())).content
          : (await collect(provider.stream(ask()))).at(-1)!.response!.content,
      );
    }
    return out;
  }

  it('reads the first event after a byte order mark opening the stream, its bytes in one read or three', async () => {
    // A .NET or Java server writing UTF-8 "with BOM": the WHATWG event stream interpretation
    // drops it. Kept, it makes the first line's field `\uFEFFdata`, and the event is lost.
    const first = chunk({ content: 'The' });
    const rest = [chunk({ content: ' sky' }), chunk({}, 'stop'), DONE];
    const whole = await contents([`\uFEFF${first}`, ...rest]);
    const split = await contents([
      Buffer.from([0xef]),
      Buffer.from([0xbb]),
      Buffer.from([0xbf]),
      first,
      ...rest,
    ]);
    expect([...whole, ...split]).toEqual(Array(4).fill('The sky'));
  });

  it('reads lines ended by a lone CR, by CRLF split between reads, and by a mix of all three', async () => {
    const text = events.join('');
    const crOnly = [text.replace(/\n/g, '\r')];
    // Every CR ends a read, its LF opens the next: read as two line ends, the blank line after
    // each `data:` line would come early and events would be cut in two.
    const crlfSplit = text.replace(/\n/g, '\r\n').split(/(?<=\r)/);
    // Each event's two line ends of its own kind, or of two kinds.
    const ends = ['\r\r', '\n\n', '\r\n\r\n', '\n\r\n', '\r\n\r', '\r\n\n'];
    const mixed = [
      events.map((event, i) => event.replace(/\n\n$/, ends[i % ends.length]!)).join(''),
    ];
    for (const writes of [crOnly, crlfSplit, mixed]) {
      expect(await contents(writes)).toEqual([words.join(''), words.join('')]);
    }
  });
});

describe('a whole JSON answer written "with BOM"', () => {
  it('is read as JSON, asked for whole or answered to a stream request', async () => {
    const body = `\uFEFF${JSON.stringify(completion({ content: 'Hello' }))}`;
    for (const completeAs of ['whole', 'stream'] as const) {
      const { provider } = await setup({ '/chat/completions': json(200, body) }, { completeAs });
      await expect(provider.complete(ask())).resolves.toMatchObject({ content: 'Hello' });
    }
  });
});

describe('an answer with nothing in it', () => {
  it('is a stream error, not an empty success: [DONE] before any event, or no choices', async () => {
    const routes: Handler[] = [
      sse([DONE]),
      json(200, { ...completion({ content: 'x' }), choices: [] }),
    ];
    for (const [i, handler] of routes.entries()) {
      const { provider } = await setup(
        { '/chat/completions': handler },
        { retry: false, completeAs: i === 0 ? 'stream' : 'whole' },
      );
      const error = await provider.complete(ask()).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'OpenAIStreamError', reason: 'invalid-json' });
      expect((error as Error).message).toMatch(/is not a chat completion/);
    }
  });
});

describe('an answer that always carries an `error` key', () => {
  // Some servers write `"error": null` into every chunk or answer; openai-node reads an event as an
  // error only when `error` is truthy.
  it('is read as a normal answer when the error is null or false, streamed and whole', async () => {
    for (const error of [null, false]) {
      const events = [
        chunk({ role: 'assistant', content: '' }, null, { error }),
        chunk({ content: 'Blue' }, null, { error }),
        chunk({ content: ' light.' }, null, { error }),
        chunk({}, 'stop', { error, usage: usage() }),
        DONE,
      ];
      const streamed = await setup({ '/chat/completions': sse(events) }, { retry: false });
      expect((await collect(streamed.provider.stream(ask()))).at(-1)!.response).toMatchObject({
        content: 'Blue light.',
        finishReason: 'stop',
      });
      const whole = await setup(
        { '/chat/completions': json(200, completion({ content: 'Blue light.' }, { error })) },
        { retry: false, completeAs: 'whole' },
      );
      await expect(whole.provider.complete(ask())).resolves.toMatchObject({
        content: 'Blue light.',
        finishReason: 'stop',
      });
    }
  });

  it('still fails the call when the error is an object or a text, streamed and whole', async () => {
    for (const error of [{ message: 'The server had an error', type: 'server_error' }, 'boom']) {
      const events = [chunk({ content: 'Blue' }), chunk({ content: '' }, null, { error }), DONE];
      const streamed = await setup({ '/chat/completions': sse(events) }, { retry: false });
      await expect(streamed.provider.complete(ask())).rejects.toMatchObject({
        name: 'OpenAIStreamError',
        reason: 'server-error',
        partial: { content: 'Blue' },
      });
      const whole = await setup(
        { '/chat/completions': json(200, completion({ content: 'x' }, { error })) },
        { retry: false, completeAs: 'whole' },
      );
      await expect(whole.provider.complete(ask())).rejects.toMatchObject({
        name: 'OpenAIStreamError',
        reason: 'server-error',
      });
    }
  });
});

describe('the gemini preset', () => {
  it('reads its over-long prompt answer, a JSON array, as a ContextOverflowError from the server', async () => {
    const text =
      'The input token count (132478) exceeds the maximum number of tokens allowed (131072).';
    const body = [{ error: { code: 400, message: text, status: 'INVALID_ARGUMENT' } }];
    const { server, provider } = await setup(
      { '/chat/completions': json(400, body) },
      { preset: 'gemini' },
    );
    const error = await provider.complete(ask('Hi', { model: 'gemini-2.5-flash' })).catch((e) => e);
    expect(error).toMatchObject({
      name: 'ContextOverflowError',
      code: 'X_PROVIDER_OPENAI_CONTEXT_OVERFLOW',
      source: 'server',
      model: 'gemini-2.5-flash',
      retryable: false,
    });
    // The server's own words, not the array's JSON text.
    expect((error as Error).message).toBe(
      `The prompt is longer than the context window of "gemini-2.5-flash" (server: ${text})`,
    );
    expect(chats(server)).toHaveLength(1);
  });
});
