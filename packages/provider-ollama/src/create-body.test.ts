// `create()` checks its request before sending, and sends messages as chat does.
import { type OllamaSim, startOllamaSim } from '@x/ollama-sim';
import { afterEach, describe, expect, it } from 'vitest';
import { createOllamaProvider, type OllamaProvider } from './provider';
import type { CreateRequest } from './types';

const open: Array<OllamaSim | OllamaProvider> = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

async function setup(): Promise<{ sim: OllamaSim; provider: OllamaProvider }> {
  const sim = await startOllamaSim({ loadTimeMs: 0 });
  const provider = createOllamaProvider({ baseUrl: sim.url, retry: { baseDelayMs: 1 } });
  open.push(provider, sim);
  return { sim, provider };
}

async function drain(iterable: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of iterable);
}

const creates = (sim: OllamaSim) => sim.requests.filter((r) => r.path === '/api/create');
/** Both separators are Ollama's (`BlobsPath` takes `sha256:` and `sha256-`). */
const DIGESTS = { 'a.gguf': `sha256:${'a'.repeat(64)}`, 'b.gguf': `sha256-${'B'.repeat(64)}` };

describe('OllamaProvider.create', () => {
  it.each([
    [{ messages: 'hi' }, TypeError, /request\.messages/],
    [{ license: 5 }, TypeError, /request\.license/],
    [{ license: ['MIT', 5] }, TypeError, /request\.license\[1\]/],
    [{ files: { 'a.gguf': 5 } }, TypeError, /request\.files\["a\.gguf"\]|request\.files\.a\.gguf/],
    [{ files: { 'a.gguf': 'not-a-digest' } }, RangeError, /sha256:<64 hex/],
    [{ adapters: { 'l.gguf': 'sha256:xyz' } }, RangeError, /request\.adapters/],
    [{ files: { ...DIGESTS, 'c.gguf': 'sha256:xyz' } }, RangeError, /request\.files\["c\.gguf"\]/],
    [{ parameters: { num_ctx: '8192' } }, TypeError, /request\.parameters\.num_ctx/],
    [{ parameters: { num_ctx: -5 } }, RangeError, /request\.parameters\.num_ctx/],
    [{ parameters: { temperature: 'hot' } }, TypeError, /request\.parameters\.temperature/],
    [{ parameters: { stop: [1] } }, TypeError, /request\.parameters\.stop/],
    [
      { messages: [{ role: 'user', content: 'hi', imgaes: [] }] },
      TypeError,
      /request\.messages\[0\]\.imgaes.*images/,
    ],
    [{ messages: [{ role: 'user', content: 'hi', images: [5] }] }, TypeError, /images\[0\]/],
  ])('refuses %j before sending', async (fields, type, message) => {
    const { sim, provider } = await setup();
    const request = { model: 'q', from: 'llama3.2', ...fields } as unknown as CreateRequest;
    let error: unknown;
    try {
      provider.create(request);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(type);
    expect((error as Error).message).toMatch(message);
    expect(creates(sim)).toHaveLength(0);
  });

  it('sends messages as chat does: bytes as base64, toolCalls as tool_calls', async () => {
    const { sim, provider } = await setup();
    await drain(
      provider.create({
        model: 'q',
        from: 'llama3.2',
        license: ['MIT', 'Apache-2.0'],
        messages: [
          { role: 'user', content: 'look', images: [new Uint8Array([1, 2])] },
          {
            role: 'assistant',
            content: '',
            toolCalls: [{ name: 'f', arguments: { a: 1 } }],
          },
        ],
      }),
    );
    const body = creates(sim)[0]!.body as Record<string, unknown>;
    expect(body.messages).toEqual([
      { role: 'user', content: 'look', images: ['AQI='] },
      {
        role: 'assistant',
        content: '',
        tool_calls: [{ function: { name: 'f', arguments: { a: 1 } } }],
      },
    ]);
    expect(body.license).toEqual(['MIT', 'Apache-2.0']);
  });
});

describe('OllamaProvider.create without a source Ollama can build from', () => {
  // server/create.go: an empty `from` is none ("neither 'from' or 'files' was specified"), and
  // `files: {}` has no file to convert: Ollama refuses both, so neither is sent.
  it.each([
    [{ from: '' }, RangeError, /^Expected `request\.from` to be a model name/],
    [{ files: {} }, RangeError, /^Expected `request\.files` to be at least one file/],
    [{ from: '', files: {} }, RangeError, /^Expected `request\.files`/],
    [{}, TypeError, /^Expected `request\.from`/],
  ])('refuses %j before sending', async (fields, type, message) => {
    const { sim, provider } = await setup();
    const request = { model: 'q', ...fields } as unknown as CreateRequest;
    expect(() => provider.create(request)).toThrow(type);
    expect(() => provider.create(request)).toThrow(message);
    expect(creates(sim)).toHaveLength(0);
  });

  it('takes an empty `from` with files, and `files: {}` with a model in `from`', async () => {
    const { provider } = await setup();
    expect(() => provider.create({ model: 'q', from: '', files: DIGESTS })).not.toThrow();
    expect(() => provider.create({ model: 'q', from: 'llama3.2', files: {} })).not.toThrow();
  });
});
