// Inputs Ollama would refuse or misread are refused before anything is sent, naming the field:
// array holes (JSON sends `null`), schemas JSON cannot write, numbers past the Go types Ollama
// decodes into, durations past Go's, file names that are not relative paths, malformed tool
// calls and images, unknown quantization types and `requires` that is no version.
import { describe, expect, it } from 'vitest';
import { thrown } from './__fixtures__/refusal';
import { simProvider } from './__fixtures__/sim-provider';
import type { OllamaProvider } from './provider';
import { validateChatRequest } from './validate';

const setup = simProvider();

/** Refused with `type`, the message matching `message`, and the simulator asked nothing. */
async function refuses(
  call: (p: OllamaProvider) => unknown,
  type: typeof TypeError | typeof RangeError,
  message: RegExp,
): Promise<void> {
  const { sim, provider } = await setup();
  const error = await thrown(() => call(provider));
  expect(error).toBeInstanceOf(type);
  expect(error.message).toMatch(message);
  expect(sim.requests).toHaveLength(0);
}

const chat = (fields: Record<string, unknown>) => (p: OllamaProvider) =>
  p.complete({
    model: 'llama3.2',
    messages: [{ role: 'user', content: 'hi' }],
    ...fields,
  } as never);
const history = (assistant: Record<string, unknown>) =>
  chat({
    messages: [
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: '', ...assistant },
    ],
  });
const call = (fields: Record<string, unknown>) => ({
  toolCalls: [{ name: 'f', arguments: {}, ...fields }],
});
const create = (fields: Record<string, unknown>) => (p: OllamaProvider) =>
  p.create({ model: 'mine', from: 'llama3.2', ...fields } as never);
const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('array holes are refused by index, not sent as null', () => {
  it('generate `context`', async () => {
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point.
    const context = [1, , 3];
    await refuses(
      (p) => p.generate({ model: 'llama3.2', prompt: 'hi', context } as never),
      TypeError,
      /`request\.context\[1\]`/,
    );
  });

  it('embed `input`', async () => {
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point.
    const input = ['a', , 'c'];
    await refuses(
      (p) => p.embed({ model: 'llama3.2', input } as never),
      TypeError,
      /`request\.input\[1\]`/,
    );
  });

  it('create `license`', async () => {
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point.
    await refuses(create({ license: ['MIT', , 'x'] }), TypeError, /`request\.license\[1\]`/);
  });
});

describe('`format` must be JSON', () => {
  it('refuses a schema with a cycle or a BigInt, naming where', async () => {
    const cyclic: Record<string, unknown> = { type: 'object' };
    cyclic.self = cyclic;
    await refuses(chat({ format: cyclic }), TypeError, /`request\.format/);
    await refuses(
      chat({ format: { type: 'integer', maximum: 10n } }),
      TypeError,
      /`request\.format\.maximum`/,
    );
  });
});

describe('`keepAlive` within a Go duration (int64 nanoseconds, about 292 years)', () => {
  it.each(['99999999999h', '2562047h47m16.854775808s', '9223372036854775808ns'])(
    'refuses %j',
    async (keepAlive) => {
      await refuses(chat({ keepAlive }), RangeError, /`request\.keepAlive`.*292 years/);
    },
  );

  it("takes Go's longest durations exactly", () => {
    const request = { model: 'm', messages: [] };
    for (const keepAlive of ['2562047h47m16.854775807s', '-2562047h47m16.854775808s']) {
      expect(() => validateChatRequest({ ...request, keepAlive })).not.toThrow();
    }
  });

  it('refuses 1e300 seconds', async () => {
    await refuses(chat({ keepAlive: 1e300 }), RangeError, /`request\.keepAlive`/);
  });

  it('sends long ones within it, and negative ones (kept forever)', async () => {
    const { sim, provider } = await setup();
    for (const keepAlive of ['2562047h', '-2562047h', -1, 9e9]) {
      await chat({ keepAlive })(provider);
    }
    expect(sim.requests.filter((r) => r.path === '/api/chat')).toHaveLength(4);
  });
});

describe('numbers within the Go types Ollama decodes them into', () => {
  it.each([
    ['numCtx', { numCtx: 1e300 }],
    ['topK', { topK: 2 ** 53 }],
    ['maxTokens', { maxTokens: 1e300 }],
    ['temperature', { temperature: 1e300 }],
    ['options.num_ctx', { options: { num_ctx: 1e300 } }],
    ['options.seed', { options: { seed: 1e300 } }],
    ['options.top_k', { options: { top_k: 2 ** 60 } }],
    ['options.min_p', { options: { min_p: 1e300 } }],
  ])('refuses %s', async (field, fields) => {
    await refuses(chat(fields), RangeError, new RegExp(`\`request\\.${field}\``));
  });

  it('refuses embed `dimensions: 1e300` before asking the version or anything else', async () => {
    await refuses(
      (p) => p.embed({ model: 'llama3.2', input: 'hi', dimensions: 1e300 }),
      RangeError,
      /`request\.dimensions`/,
    );
  });
});

describe('assistant tool calls and images in history', () => {
  it.each([
    ['an empty name', call({ name: '' }), /toolCalls\[0\]\.name`/],
    ['a name with NUL', call({ name: 'f\0' }), /toolCalls\[0\]\.name`/],
    ['a name with a newline', call({ name: 'f\ng' }), /toolCalls\[0\]\.name`/],
    ['index -1', call({ index: -1 }), /toolCalls\[0\]\.index`/],
    ['index NaN', call({ index: Number.NaN }), /toolCalls\[0\]\.index`/],
    ['an empty image', { images: [''] }, /images\[0\]`/],
    ['an empty data URL', { images: ['data:image/png;base64,'] }, /images\[0\]`/],
    ['no image bytes', { images: [new Uint8Array(0)] }, /images\[0\]`/],
  ])('refuses %s', async (_, assistant, message) => {
    await refuses(history(assistant), RangeError, message);
  });

  it('refuses a tool defined with a newline in its name', async () => {
    const tools = [{ type: 'function', function: { name: 'a\nb' } }];
    await refuses(chat({ tools }), RangeError, /`request\.tools\[0\]\.function\.name`/);
  });

  it('refuses an empty image given to generate', async () => {
    await refuses(
      (p) => p.generate({ model: 'llava', prompt: 'hi', images: [''] }),
      RangeError,
      /`request\.images\[0\]`/,
    );
  });
});

describe('create() file names, quantization and requires', () => {
  it.each([
    ['a parent path', '../../etc/passwd', /relative/],
    ['an absolute path', '/etc/passwd', /relative/],
    ['a trailing slash', 'dir/', /relative/],
    ['NUL', 'a\0.gguf', /NUL/],
    ['`__proto__`', '__proto__', /__proto__/],
  ])('refuses %s, naming `request.files` and the name', async (_, file, why) => {
    const files = JSON.parse(`{${JSON.stringify(file)}: "${DIGEST}"}`);
    const { sim, provider } = await setup();
    const error = await thrown(() => provider.create({ model: 'mine', files }));
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toMatch(/^Expected `request\.files`/);
    expect(error.message).toContain(JSON.stringify(file));
    expect(error.message).toMatch(why);
    expect(sim.requests).toHaveLength(0);
  });

  it('refuses the same names in `adapters` and `draftFiles`', async () => {
    await refuses(create({ adapters: { '/a.gguf': DIGEST } }), RangeError, /request\.adapters/);
    await refuses(
      create({ draftFiles: { '../d.gguf': DIGEST } }),
      RangeError,
      /request\.draftFiles/,
    );
  });

  it('refuses a quantization type no Ollama knows', async () => {
    await refuses(create({ quantize: 'q99' }), RangeError, /`request\.quantize`/);
  });

  it('refuses a `requires` that is not a version', async () => {
    await refuses(create({ requires: 'not-a-version' }), RangeError, /`request\.requires`/);
    await refuses(create({ requires: '01.2.3' }), RangeError, /`request\.requires`/);
  });

  it('sends known quantization types in any case, and versions', async () => {
    const { sim, provider } = await setup();
    const request = { model: 'mine', from: 'nomic-embed-text', quantize: 'q4_K_m' };
    for await (const _ of provider.create({ ...request, requires: '0.14.0-rc1' }));
    expect(sim.requests.filter((r) => r.path === '/api/create')).toHaveLength(1);
  });

  it('sends file names in folders, as Ollama takes them', async () => {
    const { sim, provider } = await setup();
    const files = { 'model/part-1.gguf': DIGEST };
    // The simulator holds no such blob: what matters is that the request was sent.
    await (async () => {
      for await (const _ of provider.create({ model: 'mine', files }));
    })().catch(() => undefined);
    expect(sim.requests.filter((r) => r.path === '/api/create')).toHaveLength(1);
  });
});
