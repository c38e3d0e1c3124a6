// `options` of chat, generate and embed, and `parameters` of create(): Ollama ignores a key its
// api.Options does not list (a warning in its log, no error), so such a key is refused before
// sending, a removed one saying since which release; the rest are checked against the Go types.
import { describe, expect, it } from 'vitest';
import { simProvider } from './__fixtures__/sim-provider';
import type { OllamaProvider } from './provider';

const setup = simProvider();

/** What a call throws or rejects with (undefined when it succeeds), a stream read to its end. */
async function outcome(run: () => Promise<unknown> | AsyncIterable<unknown>): Promise<unknown> {
  try {
    const result = run();
    if (Symbol.asyncIterator in result) {
      for await (const _ of result) {
        // Read to the end.
      }
    } else {
      await result;
    }
    return undefined;
  } catch (e) {
    return e;
  }
}

/** The outcome of each call of the provider that takes `options`, given `options`. */
function calls(provider: OllamaProvider, options: Record<string, unknown>) {
  const messages = [{ role: 'user' as const, content: 'hi' }];
  return {
    complete: outcome(() => provider.complete({ model: 'llama3.2', messages, options })),
    stream: outcome(() => provider.stream({ model: 'llama3.2', messages, options })),
    generate: outcome(() => provider.generate({ model: 'llama3.2', prompt: 'hi', options })),
    embed: outcome(() => provider.embed({ model: 'nomic-embed-text', input: 'hi', options })),
  };
}

describe('request options', () => {
  it.each([
    ['mirostat', 2, '0.7.0'],
    ['mirostat_eta', 0.1, '0.7.0'],
    ['mirostat_tau', 5, '0.7.0'],
    ['tfs_z', 1, '0.5.2'],
    ['penalize_newline', true, '0.5.5'],
    ['numa', true, '0.3.4'],
    ['use_mlock', true, '0.7.0'],
    ['num_gqa', 8, '0.1.35'],
  ])(
    'refuses %s (set to %j), removed from Ollama in %s, saying servers ignore it, before sending',
    async (key, value, version) => {
      const { sim, provider } = await setup();
      for (const [call, error] of Object.entries(calls(provider, { [key]: value }))) {
        const e = await error;
        expect(e, call).toBeInstanceOf(TypeError);
        expect((e as Error).message).toBe(
          `Option \`request.options.${key}\` was removed from Ollama in ${version}: servers since then ignore it (no error, no effect), so leave it out`,
        );
      }
      expect(sim.requests).toHaveLength(0);
    },
  );

  it('refuses an unknown key with the closest one Ollama reads', async () => {
    const { sim, provider } = await setup();
    const { complete, generate } = calls(provider, { temprature: 0.2 });
    for (const e of [await complete, await generate]) {
      expect(e).toBeInstanceOf(TypeError);
      expect((e as Error).message).toBe(
        'Unknown option `request.options.temprature`: did you mean `request.options.temperature`?',
      );
    }
    const { embed } = calls(provider, { numCtx: 2048 });
    expect(((await embed) as Error).message).toBe(
      'Unknown option `request.options.numCtx`: did you mean `request.options.num_ctx`?',
    );
    expect(sim.requests).toHaveLength(0);
  });

  it.each([
    [{ top_k: '40' }, TypeError, 'request.options.top_k'],
    [{ min_p: Number.NaN }, RangeError, 'request.options.min_p'],
    [{ use_mmap: 1 }, TypeError, 'request.options.use_mmap'],
    [{ draft_num_predict: '8' }, TypeError, 'request.options.draft_num_predict'],
  ])(
    'refuses %j, which Ollama answers with a 500, naming the option',
    async (options, type, name) => {
      const { sim, provider } = await setup();
      for (const error of Object.values(calls(provider, options))) {
        const e = await error;
        expect(e).toBeInstanceOf(type);
        expect((e as Error).message).toContain(`\`${name}\``);
      }
      expect(sim.requests).toHaveLength(0);
    },
  );

  it('sends every option api.Options and api.Runner list, and a null one Ollama skips', async () => {
    const { sim, provider } = await setup();
    const options = {
      num_keep: 4,
      seed: 1,
      num_predict: 8,
      top_k: 40,
      top_p: 0.9,
      min_p: 0.05,
      typical_p: 1,
      repeat_last_n: 64,
      temperature: 0.7,
      repeat_penalty: 1.1,
      presence_penalty: 0,
      frequency_penalty: 0,
      stop: ['\n\n'],
      num_ctx: 4096,
      num_batch: 512,
      num_gpu: -1,
      main_gpu: 0,
      use_mmap: true,
      num_thread: 2,
      draft_num_predict: 4,
    };
    const results = calls(provider, { ...options, seed: null });
    for (const [call, result] of Object.entries(results))
      expect(await result, call).toBeUndefined();
    const chat = sim.requests.find((r) => r.path === '/api/chat')!;
    expect((chat.body as { options: unknown }).options).toEqual({ ...options, seed: null });
  });
});

describe('create() parameters', () => {
  it.each([
    [{ numa: false }, TypeError, /`request\.parameters\.numa` was removed from Ollama in 0\.3\.4/],
    [
      { mirostat: 1 },
      TypeError,
      /`request\.parameters\.mirostat` was removed from Ollama in 0\.7\.0/,
    ],
    [{ num_ctxx: 1 }, TypeError, /did you mean `request\.parameters\.num_ctx`/],
    [{ draft_num_predict: 1.5 }, RangeError, /request\.parameters\.draft_num_predict/],
    [{ use_mmap: 'yes' }, TypeError, /request\.parameters\.use_mmap/],
  ])('refuses %j before sending', async (parameters, type, message) => {
    const { sim, provider } = await setup();
    let error: unknown;
    try {
      provider.create({ model: 'q', from: 'llama3.2', parameters });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(type);
    expect((error as Error).message).toMatch(message);
    expect(sim.requests).toHaveLength(0);
  });
});
