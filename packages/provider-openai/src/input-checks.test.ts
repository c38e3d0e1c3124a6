// Input the API reference refuses, or that JSON would send as something else, is refused before
// anything is sent, with a TypeError or RangeError naming the field: token ids with holes (sent as
// null), a JSON Schema JSON cannot write, a tool result without its call id at OpenAI's API,
// `logitBias` keys that are no token ids, and counts past the safe integers.
import { describe, expect, it } from 'vitest';
import { completion, json, vectors } from './__fixtures__/server';
import { ask, atOpenAI, chats, setup } from './__fixtures__/setup';
import type { ChatRequest, EmbedRequest } from './types';

const hello = json(200, completion({ content: 'hi' }));

/** Refused by complete() and stream() alike with `type`, naming `field`; nothing is sent. */
async function chatRefused(extra: Partial<ChatRequest>, type: ErrorConstructor, field: string) {
  const { server, provider } = await setup({ '/chat/completions': hello }, { cache: false });
  const error = await provider.complete(ask('Hi', extra)).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(type);
  expect((error as Error).message).toContain(`\`${field}\``);
  expect(() => provider.stream(ask('Hi', extra))).toThrow(type);
  expect(chats(server)).toHaveLength(0);
}

/** Refused by embed() with `type`, naming `field`; nothing is sent. */
async function embedRefused(extra: Partial<EmbedRequest>, type: ErrorConstructor, field: string) {
  const { server, provider } = await setup({ '/embeddings': vectors }, { cache: false });
  const request = { model: 'text-embedding-3-small', input: 'hi', ...extra };
  const error = await provider.embed(request).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(type);
  expect((error as Error).message).toContain(`\`${field}\``);
  expect(server.requests).toHaveLength(0);
}

describe('embed() input read by index', () => {
  it('refuses token ids with a hole, which JSON would send as null', async () => {
    // biome-ignore lint/suspicious/noSparseArray: the hole is the input under test
    await embedRefused({ input: [1, , 3] as number[] }, TypeError, 'request.input');
    // biome-ignore lint/suspicious/noSparseArray: the hole is the input under test
    await embedRefused({ input: [[1, 2], , [3]] as number[][] }, TypeError, 'request.input');
    // biome-ignore lint/suspicious/noSparseArray: the hole is the input under test
    await embedRefused({ input: [[1, , 2]] as number[][] }, TypeError, 'request.input');
  });

  it('refuses texts with a hole', async () => {
    // biome-ignore lint/suspicious/noSparseArray: the hole is the input under test
    await embedRefused({ input: ['a', , 'b'] as string[] }, TypeError, 'request.input');
  });

  it('refuses dimensions past the safe integers as a RangeError', async () => {
    await embedRefused({ dimensions: 1e300 }, RangeError, 'request.dimensions');
    await embedRefused({ dimensions: 2 ** 53 }, RangeError, 'request.dimensions');
  });
});

describe('complete() and stream() field checks', () => {
  it('refuses maxTokens past the safe integers as a RangeError naming it', async () => {
    await chatRefused({ maxTokens: 1e300 }, RangeError, 'request.maxTokens');
  });

  it('refuses logitBias keys that are no token ids', async () => {
    for (const key of ['abc', '-1', '1.5', '01', ' 1', '', '99999999999999999999']) {
      await chatRefused({ logitBias: { [key]: 1 } }, RangeError, 'request.logitBias');
    }
    await chatRefused({ logitBias: { 50256: 101 } }, RangeError, 'request.logitBias.50256');
  });

  it('sends logitBias keyed by token ids', async () => {
    const { server, provider } = await setup({ '/chat/completions': hello }, { cache: false });
    await provider.complete(ask('Hi', { logitBias: { 0: -100, 50256: 100 } }));
    expect(chats(server)[0]!.json).toMatchObject({ logit_bias: { 0: -100, 50256: 100 } });
  });

  it('refuses a JSON Schema JSON cannot write, naming the path inside it', async () => {
    const cyclic: Record<string, unknown> = { type: 'object' };
    cyclic.properties = { self: cyclic };
    const at = 'request.responseFormat.jsonSchema.schema';
    const format = (schema: Record<string, unknown>) => ({
      responseFormat: { type: 'json_schema' as const, jsonSchema: { name: 'x', schema } },
    });
    await chatRefused(format(cyclic), TypeError, `${at}.properties.self`);
    await chatRefused(format({ type: 'integer', maximum: 10n }), TypeError, `${at}.maximum`);
  });

  it('refuses extraBody and a custom tool format JSON cannot write, naming the path', async () => {
    await chatRefused(
      { extraBody: { metadata: { n: 1n } } },
      TypeError,
      'request.extraBody.metadata.n',
    );
    const cyclic: Record<string, unknown> = { type: 'grammar' };
    cyclic.grammar = cyclic;
    const tools = [{ type: 'custom' as const, custom: { name: 'sql', format: cyclic } }];
    await chatRefused({ tools } as never, TypeError, 'request.tools[0].custom.format.grammar');
  });
});

describe('a tool result without toolCallId', () => {
  const toolTurn = (toolCallId?: string): Partial<ChatRequest> => ({
    messages: [
      { role: 'user', content: 'Weather?' },
      {
        role: 'assistant',
        content: '',
        toolCalls: [{ id: 'call_1', name: 'weather', arguments: {} }],
      },
      { role: 'tool', content: 'sunny', ...(toolCallId === undefined ? {} : { toolCallId }) },
    ],
  });

  it("is refused at OpenAI's API, naming messages[i].toolCallId, before sending", async () => {
    const { provider, sent } = atOpenAI();
    const error = await provider.complete(ask('Hi', toolTurn())).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toContain('`request.messages[2].toolCallId`');
    expect(error).toMatchObject({ unsupportedBy: 'server' });
    expect(() => provider.stream(ask('Hi', toolTurn()))).toThrow(TypeError);
    expect(sent()).toBe(0);
  });

  it('is sent to a server that takes it (Ollama /v1), and with an id to OpenAI', async () => {
    const { server, provider } = await setup(
      { '/chat/completions': hello },
      { preset: 'ollama', cache: false },
    );
    await provider.complete(ask('Hi', toolTurn()));
    expect(chats(server)).toHaveLength(1);
    const { provider: openai, sent } = atOpenAI();
    await expect(openai.complete(ask('Hi', toolTurn('call_1')))).rejects.toThrow(/Could not reach/);
    expect(sent()).toBe(1);
  });
});
