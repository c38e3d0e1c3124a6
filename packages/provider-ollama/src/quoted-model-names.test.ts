// A model name is the caller's text: a newline or a bidi override (U+202E turns the rest of a line
// around) in it reaches an error message escaped, and the `ollama pull` command a missing model's
// message gives names it only when it is one plain shell word.
import { type OllamaSim, startOllamaSim } from '@x/ollama-sim';
import { afterEach, describe, expect, it } from 'vitest';
import { ContextOverflowError, ModelNotFoundError } from './errors';
import { createOllamaProvider, type OllamaProvider } from './provider';

const sims: OllamaSim[] = [];
const providers: OllamaProvider[] = [];

afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.close()));
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

const RAW = /[\n\u202e]/;
const missing = (model: string) =>
  new ModelNotFoundError({ model, serverMessage: 'model not found', endpoint: '/api/chat' });

describe('model names in error messages', () => {
  it('escapes a bidi override a valid name holds (in its unread URL scheme), and pulls nothing named', async () => {
    const sim = await startOllamaSim({ loadTimeMs: 0 });
    sims.push(sim);
    const provider = createOllamaProvider({ baseUrl: sim.url, retry: { baseDelayMs: 1 } });
    providers.push(provider);
    const model = 'x\u202e://host/ns/model';
    const error = await provider
      .complete({ model, messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(ModelNotFoundError);
    expect(error.message).toBe(
      'Model "x\\u202e://host/ns/model" was not found on the Ollama server (pull it with `ollama pull`)',
    );
    expect(error).toMatchObject({ model });
  });

  it('escapes a newline, and leaves a name no shell word out of the pull command', () => {
    expect(missing('llama\n3').message).toBe(
      'Model "llama\\n3" was not found on the Ollama server (pull it with `ollama pull`)',
    );
    expect(missing('$(touch x)://h/n/m').message).toBe(
      'Model "$(touch x)://h/n/m" was not found on the Ollama server (pull it with `ollama pull`)',
    );
  });

  it('pulls a plain name as the server reads it', () => {
    expect(missing('library/llama3.2:1b').message).toBe(
      'Model "library/llama3.2:1b" was not found on the Ollama server (pull it with `ollama pull library/llama3.2:1b`)',
    );
    expect(missing(' llama3.2 ').message).toContain('(pull it with `ollama pull llama3.2`)');
  });

  it('escapes a newline in a ContextOverflowError', () => {
    const error = new ContextOverflowError({ model: 'llama\n3', source: 'server' });
    expect(error.message).toContain('context window of "llama\\n3"');
    expect(error.message).not.toMatch(RAW);
  });
});
