// A key pasted where a model name goes is not a name Ollama can parse (a quote, `=`, a space),
// and the error says which part of the name is wrong: that part is shown, as the value after
// `got` is, without the key.
import { errorTexts, expectNoSecret } from '@x/internal/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createOllamaProvider, type OllamaProvider } from './provider';

const KEY = 'sk-live-Zq7Xv9Lm3Pw8Rt2Yb6Nc4Hd';
const hex = Buffer.from(KEY).toString('hex');

/** What a user pastes into a model name: the key quoted, as an env line, as a header, in hex. */
const PASTES = [`"${KEY}"`, `OPENAI_API_KEY=${KEY}`, `Bearer ${KEY}`, `"${hex}"`, `x/${KEY}!`];

const providers: OllamaProvider[] = [];
afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.close()));
});

/** The error of `run`, thrown at once, rejected, or thrown on the first step of its iterable. */
async function failureOf(run: () => unknown): Promise<Error> {
  try {
    const out = run();
    if (out instanceof Promise) await out;
    else if (out !== null && typeof out === 'object' && Symbol.asyncIterator in out) {
      for await (const _ of out as AsyncIterable<unknown>);
    }
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

describe('a key pasted as a model name', () => {
  it('is redacted in every part of the argument error of every call that names a model', async () => {
    // Nothing is sent: every name is refused before a request (the port has no server).
    const provider = createOllamaProvider({ apiKey: KEY, baseUrl: 'http://127.0.0.1:9' });
    providers.push(provider);
    const messages = [{ role: 'user' as const, content: 'hi' }];
    for (const model of PASTES) {
      const calls: [string, () => unknown][] = [
        ['complete', () => provider.complete({ model, messages })],
        ['stream', () => provider.stream({ model, messages })],
        ['pull', () => provider.pull({ model })],
        ['create from', () => provider.create({ model: 'mine', from: model })],
        ['copy', () => provider.copyModel({ source: model, destination: 'mine' })],
        ['delete', () => provider.deleteModel(model)],
      ];
      for (const [call, run] of calls) {
        const error = await failureOf(run);
        expect(error, `${call} of ${model}`).toBeInstanceOf(RangeError);
        expect(error.message, call).toMatch(/its (model|host|namespace|tag) `.*` is not valid/);
        expectNoSecret(errorTexts([error]).join('\n'), KEY);
      }
    }
  });
});
