import { describe, expect, it } from 'vitest';
import { destroyedAfterEach } from './__fixtures__/server';
import { isOllamaStreamError } from './errors';
import { createOllamaProvider, type OllamaProvider } from './provider';
import { parseLoadedModels, parseModelList } from './wire/models';

// A 200 JSON answer that is not a model list is the typed invalid-json error, as a wrong-shaped
// /api/embed answer is, never an empty or made-up list; what Ollama sends is still read.

const { providers, listen } = destroyedAfterEach();

/** A scrub that leaves every text as it is: these tests read shapes, not secrets. */
const asIs = { redact: (text: string) => text, redactOnce: (text: string) => text };

/** A provider on a server answering every request 200 with `body`, as JSON. */
async function answering(body: string): Promise<OllamaProvider> {
  const url = await listen((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  });
  const provider = createOllamaProvider({
    baseUrl: url,
    retry: false,
  });
  providers.push(provider);
  return provider;
}

const WRONG = [
  '{"error":"unauthorized"}',
  '[]',
  '{"models":{}}',
  '{"models":[null,7,"x"]}',
  '{"models":[{"size":1}]}',
  '{"models":[{"name":""}]}',
];

describe('listModels(), ps() and initialize() with an answer that is not a model list', () => {
  it.each(WRONG)('refuse %s with the invalid-json stream error', async (body) => {
    const ollama = await answering(body);
    for (const call of [() => ollama.listModels(), () => ollama.ps()]) {
      const error = await call().catch((e) => e);
      expect(isOllamaStreamError(error)).toBe(true);
      expect(error).toMatchObject({ reason: 'invalid-json' });
      expect(error.message).toMatch(/^Ollama's \/api\/(tags|ps) answer is not a model list: /);
    }
    expect(ollama.models).toBeUndefined();
  });

  it('initialize() fails rather than report a server without models', async () => {
    const ollama = await answering('{"error":"unauthorized","version":"0.12.0"}');
    const error = await ollama.initialize({ timeoutMs: 2_000 }).catch((e) => e);
    expect(error).toMatchObject({ reason: 'invalid-json' });
  });
});

describe('model lists Ollama sends', () => {
  it('reads an empty list, `[]` and `null` (an empty Go slice) alike', async () => {
    for (const body of ['{"models":[]}', '{"models":null}']) {
      const ollama = await answering(body);
      expect(await ollama.listModels()).toEqual([]);
      expect(await ollama.ps()).toEqual([]);
    }
  });

  it('takes entries with only a name or only a model, their other fields missing', () => {
    const list = parseModelList(
      {
        models: [{ name: 'a:latest' }, { model: 'b:1b', details: null }],
      },
      asIs,
    );
    expect(list.map((m) => [m.name, m.model, m.size])).toEqual([
      ['a:latest', 'a:latest', undefined],
      ['b:1b', 'b:1b', undefined],
    ]);
    expect(parseLoadedModels({ models: [{ model: 'c' }] }, asIs)[0]).toMatchObject({ name: 'c' });
  });

  it('names the entry that is wrong, never its content', () => {
    expect(() => parseModelList({ models: [{ name: 'a' }, 'sk-secret'] }, asIs)).toThrow(
      "Ollama's /api/tags answer is not a model list: models[1] is a string",
    );
  });
});

describe('show() with an answer that is not an object', () => {
  it.each(['[]', 'null', '7'])('refuses %s with the invalid-json stream error', async (body) => {
    const error = await (await answering(body)).show('m').catch((e) => e);
    expect(isOllamaStreamError(error)).toBe(true);
    expect(error).toMatchObject({ reason: 'invalid-json' });
  });
});
