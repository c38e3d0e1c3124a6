// Mistakes a user brings from ollama-js or from reading the README too fast: each is refused
// before anything is sent, with the fix in the message rather than a list of keys.
import { describe, expect, it } from 'vitest';
import { NOWHERE } from './__fixtures__/refusal';
import { simProvider } from './__fixtures__/sim-provider';
import { createOllamaProvider, OllamaProvider } from './provider';

const setup = simProvider();

describe('createOllamaProvider', () => {
  it('points a listener given as an option at the method that subscribes it', () => {
    expect(() =>
      createOllamaProvider({ baseUrl: NOWHERE, onContextRaised: () => {} } as never),
    ).toThrow(
      new TypeError(
        'Unknown option `onContextRaised`: listeners are not options; subscribe once the provider is made, `provider.onContextRaised(listener)`, which returns the unsubscribe function',
      ),
    );
    // Every listener method the provider has, none left to the list of keys.
    const listeners = Object.getOwnPropertyNames(OllamaProvider.prototype).filter((name) =>
      /^on[A-Z]/.test(name),
    );
    let proto: object | null = Object.getPrototypeOf(OllamaProvider.prototype);
    while (proto !== null && proto !== Object.prototype) {
      listeners.push(...Object.getOwnPropertyNames(proto).filter((name) => /^on[A-Z]/.test(name)));
      proto = Object.getPrototypeOf(proto);
    }
    expect(listeners).toEqual(expect.arrayContaining(['onContextRaised', 'onRetry', 'onAudit']));
    for (const key of listeners) {
      expect(
        () => createOllamaProvider({ baseUrl: NOWHERE, [key]: () => {} } as never),
        key,
      ).toThrow(`\`provider.${key}(listener)\``);
    }
  });

  it('points a top-level numCtx at tokens.numCtx', () => {
    expect(() => createOllamaProvider({ baseUrl: NOWHERE, numCtx: 8192 } as never)).toThrow(
      new TypeError(
        "Unknown option `numCtx`: did you mean `tokens.numCtx`? (`{ tokens: { numCtx: 8192 } }`; a request's own `numCtx` sets it for one call)",
      ),
    );
  });
});

describe('OllamaProvider model management', () => {
  it('refuses the stream flag of pull(), push() and create() as complete() does, saying the progress always streams', async () => {
    const { sim, provider } = await setup();
    for (const [call, run] of [
      ['pull()', () => provider.pull({ model: 'llama3.2', stream: true } as never)],
      ['push()', () => provider.push({ model: 'me/llama3.2', stream: false } as never)],
      ['create()', () => provider.create({ model: 'm', from: 'llama3.2', stream: true } as never)],
    ] as const) {
      expect(run, call).toThrow(
        new TypeError(
          `Unknown option \`request.stream\`: ${call} always yields its progress as it comes (read it with \`for await\`, to its end to wait for the whole), so there is no \`stream\` flag`,
        ),
      );
    }
    expect(sim.requests).toHaveLength(0);
  });
});

describe('OllamaProvider.embed', () => {
  it("names `input` for the `prompt` of ollama-js's older embeddings()", async () => {
    const { sim, provider } = await setup();
    await expect(
      provider.embed({ model: 'nomic-embed-text', prompt: 'x' } as never),
    ).rejects.toThrow(
      new TypeError('Unknown option `request.prompt`: did you mean `request.input`?'),
    );
    expect(sim.requests).toHaveLength(0);
  });
});

describe('images given as a file path', () => {
  it('says to read the file when an image is clearly a path and not base64', async () => {
    const { sim, provider } = await setup();
    for (const path of ['./cat.png', '../img/cat.jpg', '/tmp/cat.webp', '~/cat.gif', 'cat.JPEG']) {
      const error = await provider
        .complete({
          model: 'llama3.2',
          messages: [{ role: 'user', content: 'What is this?', images: [path] }],
        })
        .catch((e: unknown) => e);
      expect(error, path).toBeInstanceOf(RangeError);
      expect((error as Error).message, path).toContain(
        'Expected `request.messages[0].images[0]` to be a non-empty base64 string (or a `data:` URL of one) or a Uint8Array, not a file path: the provider does not read files, so pass the bytes (`await readFile(path)` from node:fs/promises)',
      );
      const generated = await provider
        .generate({ model: 'llama3.2', prompt: 'What is this?', images: [path] })
        .catch((e: unknown) => e);
      expect((generated as Error).message, path).toContain('`await readFile(path)`');
    }
    // Text that is no path keeps the plain refusal; base64 starting with `/` (a JPEG's) is sent.
    const caption = await provider
      .generate({ model: 'llama3.2', prompt: 'x', images: ['a cat'] })
      .catch((e: unknown) => e);
    expect((caption as Error).message).not.toContain('file path');
    expect(sim.requests).toHaveLength(0);
    // The simulator's models see no images: what matters is that the request was sent.
    await provider
      .generate({ model: 'llama3.2', prompt: 'x', images: ['/9j/4AAQSkZJRg=='] })
      .catch(() => undefined);
    expect(sim.requests.filter((r) => r.path === '/api/generate')).toHaveLength(1);
  });
});
