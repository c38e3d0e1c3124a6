// The limits OpenAI's API reference gives for fields the request types (openai-openapi's
// `CreateChatCompletionRequest`, the doc comments of openai-node v7.5.0): refused before anything
// is sent, with a RangeError naming the field and the limit. `safety_identifier` holds at most 64
// characters, on every preset; where requests go to OpenAI's own API (the `openai` preset at
// api.openai.com, or one of your own that extends it), `temperature` is at most 2, `stop` holds
// at most 4 sequences and a function's name at most 64 of a-z, A-Z, 0-9, `_`, `-`, a file sent
// as data is a PDF and embeddings input holds no empty text and at most 2048 items
// (content-parts.test.ts and server-refusals.test.ts), where other servers (vLLM, Ollama, a
// gateway the `openai` preset's `baseUrl` or OPENAI_BASE_URL points at) take more.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { completion, json, sse, streamOf, type TestServer, vectors } from './__fixtures__/server';
import { ask, atOpenAI, chats, collect, setup, track } from './__fixtures__/setup';
import type { OpenAIProviderOptions } from './options';
import { ANY_EMBEDDING_INPUT, openAIPresets } from './presets';
import { createOpenAIProvider, type OpenAIProvider } from './provider';
import type { ChatRequest } from './types';

const hello = json(200, completion({ content: 'hi' }));

/** Refused by complete() and stream() alike with `type`, its message holding each of `parts`. */
async function refused(
  options: OpenAIProviderOptions,
  extra: Partial<ChatRequest>,
  parts: readonly string[],
  type: ErrorConstructor = RangeError,
) {
  const { server, provider } = await setup({ '/chat/completions': hello }, options);
  const error = await provider.complete(ask('Hi', extra)).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(type);
  for (const part of parts) expect((error as Error).message).toContain(part);
  expect(() => provider.stream(ask('Hi', extra))).toThrow(type);
  expect(chats(server)).toHaveLength(0);
}

/**
 * Refused as {@link refused} is, on the `openai` preset at OpenAI's own host (`baseUrl` as
 * written): nothing goes out, the transport counting what would have.
 */
async function refusedAtOpenAI(
  baseUrl: string,
  extra: Partial<ChatRequest>,
  parts: readonly string[],
) {
  const { provider, sent } = atOpenAI(baseUrl);
  const error = await provider.complete(ask('Hi', extra)).catch((e: unknown) => e);
  expect(error, baseUrl).toBeInstanceOf(RangeError);
  for (const part of parts) expect((error as Error).message).toContain(part);
  expect(() => provider.stream(ask('Hi', extra))).toThrow(RangeError);
  expect(sent()).toBe(0);
}

/** OpenAI's API host however its base URL is written, and its regional (data residency) hosts. */
const OPENAI_URLS = [
  'https://api.openai.com/v1',
  'https://api.openai.com/v1/',
  'https://API.OpenAI.com:443/v1',
  'https://api.openai.com',
  'https://api.openai.com./v1',
  'https://eu.api.openai.com/v1',
];

/** The body the server received for `extra`, streamed and whole. */
async function sent(options: OpenAIProviderOptions, extra: Partial<ChatRequest>) {
  const { server, provider } = await setup(
    { '/chat/completions': sse(streamOf('hi')) },
    { cache: false, ...options },
  );
  await provider.complete(ask('Hi', extra));
  await collect(provider.stream(ask('Hi', extra)));
  const bodies = chats(server).map((r) => r.json);
  expect(bodies).toHaveLength(2);
  return bodies;
}

const tool = (name: string) => ({
  type: 'function' as const,
  function: { name, parameters: { type: 'object', properties: {} } },
});

describe('safetyIdentifier', () => {
  it('of more than 64 characters is a RangeError naming the field and the limit, on every preset', async () => {
    for (const options of [{}, { preset: 'vllm' as const }]) {
      await refused(options, { safetyIdentifier: 'u'.repeat(65) }, [
        '`request.safetyIdentifier`',
        'at most 64 characters',
        'it has 65',
      ]);
    }
  });

  it('of 64 characters is sent as given, counted as the API counts them (an emoji is one)', async () => {
    for (const id of ['a'.repeat(64), '😀'.repeat(64)]) {
      for (const body of await sent({}, { safetyIdentifier: id })) {
        expect(body).toMatchObject({ safety_identifier: id });
      }
    }
  });
});

describe('stop at OpenAI', () => {
  it('holds at most 4 sequences: 5 are a RangeError naming `request.stop`', async () => {
    const stop = ['a', 'b', 'c', 'd', 'e'];
    for (const url of OPENAI_URLS) {
      await refusedAtOpenAI(url, { stop }, ['`request.stop`', 'at most 4 sequences', 'OpenAI']);
    }
    // A preset of your own that extends it is the same API (Azure OpenAI's v1).
    const azure = {
      preset: { name: 'azure', baseUrl: 'http://127.0.0.1:1/v1', extends: 'openai' as const },
    };
    await refused(azure, { stop }, ['`request.stop`', 'at most 4 sequences']);
  });

  it('sends 4, and a server of another family takes more', async () => {
    for (const body of await sent({}, { stop: ['a', 'b', 'c', 'd'] })) {
      expect(body).toMatchObject({ stop: ['a', 'b', 'c', 'd'] });
    }
    const five = ['a', 'b', 'c', 'd', 'e'];
    for (const body of await sent({ preset: 'vllm' }, { stop: five })) {
      expect(body).toMatchObject({ stop: five });
    }
  });
});

describe('temperature', () => {
  it('above 2 is a RangeError naming `request.temperature` at OpenAI, and on a preset extending it', async () => {
    const parts = ['`request.temperature`', 'between 0 and 2', 'OpenAI'];
    for (const url of OPENAI_URLS) await refusedAtOpenAI(url, { temperature: 2.5 }, parts);
    const azure = {
      preset: { name: 'azure', baseUrl: 'http://127.0.0.1:1/v1', extends: 'openai' as const },
    };
    await refused(azure, { temperature: 2.5 }, ['`request.temperature`', 'between 0 and 2']);
  });

  it('above 2 is sent to other servers: Ollama, vLLM and a gateway the openai preset points at', async () => {
    for (const options of [{ preset: 'ollama' as const }, { preset: 'vllm' as const }, {}]) {
      for (const body of await sent(options, { temperature: 5 })) {
        expect(body).toMatchObject({ temperature: 5 });
      }
    }
  });

  it('negative, NaN or infinite is a RangeError on every preset', async () => {
    for (const options of [{ preset: 'ollama' as const }, {}]) {
      for (const temperature of [-0.1, Number.NaN, Number.POSITIVE_INFINITY]) {
        await refused(options, { temperature }, ['`request.temperature`', 'a finite number >= 0']);
      }
    }
  });
});

describe('function names at OpenAI', () => {
  it.each([
    ['a space', 'get weather'],
    ['a dot', 'weather.get'],
    ['65 characters', 'f'.repeat(65)],
  ])('with %s are a RangeError naming the tool', async (_what, name) => {
    const parts = ['`request.tools[1].function.name`', 'a-z, A-Z, 0-9', 'at most 64'];
    for (const url of OPENAI_URLS) {
      await refusedAtOpenAI(url, { tools: [tool('ok'), tool(name)] }, parts);
    }
    // A preset of your own that extends `openai` says its server is OpenAI's API.
    const azure = {
      preset: { name: 'azure', baseUrl: 'http://127.0.0.1:1/v1', extends: 'openai' as const },
    };
    await refused(azure, { tools: [tool('ok'), tool(name)] }, parts);
  });

  it('of 64 letters, digits, `_` and `-` are sent, and other servers take their own names', async () => {
    const name = `get_weather-2${'x'.repeat(51)}`;
    for (const body of await sent({}, { tools: [tool(name)] })) {
      expect(body).toMatchObject({ tools: [{ function: { name } }] });
    }
    for (const body of await sent({ preset: 'vllm' }, { tools: [tool('weather.get')] })) {
      expect(body).toMatchObject({ tools: [{ function: { name: 'weather.get' } }] });
    }
  });
});

describe('the openai preset pointed at another server (a gateway: LiteLLM, OpenRouter)', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  const five = ['\n\n', 'END', '###', '</s>', '<|eot_id|>'];
  const names = ['github.create_issue', `mcp__server__${'x'.repeat(60)}`, 'get weather'];

  it('sends more than 4 stop sequences and function names OpenAI refuses, through `baseUrl`', async () => {
    for (const body of await sent({}, { stop: five })) expect(body).toMatchObject({ stop: five });
    for (const name of names) {
      for (const body of await sent({}, { tools: [tool(name)] })) {
        expect(body).toMatchObject({ tools: [{ function: { name } }] });
      }
    }
  });

  it('and through OPENAI_BASE_URL, read as the official client reads it', async () => {
    const { server } = await setup({ '/chat/completions': sse(streamOf('hi')) });
    vi.stubEnv('OPENAI_BASE_URL', server.url);
    const provider = track(createOpenAIProvider({ apiKey: 'sk-test', cache: false, retry: false }));
    expect(provider.preset).toBe('openai');
    await provider.complete(ask('Hi', { stop: five, tools: [tool(names[0]!)] }));
    await collect(provider.stream(ask('Hi', { tools: [tool(names[1]!)] })));
    expect(chats(server).map((r) => r.json)).toMatchObject([
      { stop: five, tools: [{ function: { name: names[0] } }] },
      { tools: [{ function: { name: names[1] } }] },
    ]);
  });

  const gif = 'data:image/gif;base64,R0lGODlhAQABAAAAACw=';
  const inputs = ['', ['ok', ''], Array.from({ length: 2049 }, () => 'a')];

  /** A gateway's provider sends a file of any type and the embeddings input OpenAI refuses. */
  async function sendsFilesAndInputs(provider: OpenAIProvider, server: TestServer) {
    expect(provider.embeddingInput).toEqual(ANY_EMBEDDING_INPUT);
    const files = [{ filename: 'a.gif', data: gif }];
    await provider.complete(ask('Hi', { messages: [{ role: 'user', content: 'Hi', files }] }));
    const parts = chats(server)[0]!.json!.messages as Array<{ content: unknown }>;
    expect(parts[0]!.content).toMatchObject([{}, { file: { file_data: gif } }]);
    for (const input of inputs) await provider.embed({ model: 'e', input });
    const embeds = server.requests.filter((r) => r.path === '/v1/embeddings');
    expect(embeds.map((r) => r.json!.input)).toEqual(inputs);
  }

  it('sends files of any type, empty texts and more than 2048 items to embed, through `baseUrl`', async () => {
    const routes = { '/chat/completions': hello, '/embeddings': vectors };
    const { server, provider } = await setup(routes, { cache: false });
    await sendsFilesAndInputs(provider, server);
  });

  it('and through OPENAI_BASE_URL', async () => {
    const { server } = await setup({ '/chat/completions': hello, '/embeddings': vectors });
    vi.stubEnv('OPENAI_BASE_URL', server.url);
    const provider = track(createOpenAIProvider({ apiKey: 'sk-test', cache: false, retry: false }));
    await sendsFilesAndInputs(provider, server);
  });

  it("keeps OpenAI's file and embeddings limits at OpenAI's host and on a preset extending `openai`", async () => {
    for (const url of OPENAI_URLS) {
      expect(atOpenAI(url).provider.embeddingInput, url).toEqual(
        openAIPresets.openai.embeddingInput,
      );
    }
    const azure = {
      preset: { name: 'azure', baseUrl: 'http://127.0.0.1:1/v1', extends: 'openai' as const },
    };
    const { server, provider } = await setup({ '/embeddings': vectors }, azure);
    expect(provider.embeddingInput).toEqual(openAIPresets.openai.embeddingInput);
    for (const input of inputs)
      await expect(provider.embed({ model: 'e', input })).rejects.toThrow(RangeError);
    const files = [{ filename: 'a.gif', data: gif }];
    await refused(azure, { messages: [{ role: 'user', content: 'Hi', files }] }, [
      '`application/pdf` files only',
    ]);
    expect(server.requests).toHaveLength(0);
  });

  it("keeps the 64-character safetyIdentifier: the field is OpenAI's and a gateway passes it on", async () => {
    await refused({}, { safetyIdentifier: 'u'.repeat(65) }, ['`request.safetyIdentifier`']);
  });
});
