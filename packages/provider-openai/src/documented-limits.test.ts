// The limits OpenAI's API reference gives for fields the request types (openai-openapi's
// `CreateChatCompletionRequest`, the doc comments of openai-node v7.5.0): refused before anything
// is sent, with a RangeError naming the field and the limit. `safety_identifier` holds at most 64
// characters, on every preset; on the `openai` preset (and one of your own that extends it),
// `stop` holds at most 4 sequences and a function's name at most 64 of a-z, A-Z, 0-9, `_`, `-`,
// where other servers (vLLM, Ollama) take more.
import { describe, expect, it } from 'vitest';
import { completion, json, sse, streamOf } from './__fixtures__/server';
import { ask, chats, collect, setup } from './__fixtures__/setup';
import type { OpenAIProviderOptions } from './options';
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

describe('stop on the openai preset', () => {
  it('holds at most 4 sequences: 5 are a RangeError naming `request.stop`', async () => {
    const stop = ['a', 'b', 'c', 'd', 'e'];
    await refused({}, { stop }, ['`request.stop`', 'at most 4 sequences', 'OpenAI']);
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

describe('function names on the openai preset', () => {
  it.each([
    ['a space', 'get weather'],
    ['a dot', 'weather.get'],
    ['65 characters', 'f'.repeat(65)],
  ])('with %s are a RangeError naming the tool', async (_what, name) => {
    await refused({}, { tools: [tool('ok'), tool(name)] }, [
      '`request.tools[1].function.name`',
      'a-z, A-Z, 0-9',
      'at most 64',
    ]);
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
