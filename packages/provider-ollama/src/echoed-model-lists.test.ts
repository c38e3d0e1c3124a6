// Ollama behind a proxy that takes a bearer key, echoing it into what the server words about its
// models: `/api/tags`, `/api/ps`, `/api/show` and `/api/version`. `listModels()`, `ps()`,
// `modelInfo()` and `health()` return none of it (raw, or base64 inside a longer text), and what
// held nothing secret is returned as it came.
import { expectNoSecret, type Handler, startRouteServer } from '@x/internal/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createOllamaProvider } from './provider';

const KEY = 'sk-proj-AAAAaaaa1111bbbbCCCC2222';

const closers: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

const keyOf = (req: { headers: Record<string, unknown> }) =>
  String(req.headers.authorization).slice('Bearer '.length);

/** `body` as JSON, built from the request's key. */
const answer =
  (body: (key: string) => unknown): Handler =>
  (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body(keyOf(req as never))));
  };

/** A model entry of `/api/tags` or `/api/ps` with the key in every text Ollama words. */
const entry = (key: string) => ({
  name: key,
  model: `${key}:latest`,
  digest: key,
  modified_at: key,
  expires_at: key,
  details: {
    family: key,
    families: [key, 'llama'],
    parameter_size: key,
    quantization_level: key,
  },
  capabilities: ['completion', key],
  remote_host: `https://${key}.example`,
});

/** A model whose texts hold nothing secret: returned as it came. */
const plain = {
  name: 'llama3.2:latest',
  model: 'llama3.2:latest',
  digest: 'a80c4f17acd5',
  details: {
    family: 'llama',
    families: ['llama'],
    parameter_size: '3.2B',
    quantization_level: 'Q4_K_M',
  },
};

const routes: Record<string, Handler> = {
  '/': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('Ollama is running');
  },
  '/api/version': answer((key) => ({ version: key })),
  '/api/tags': answer((key) => ({
    models: [entry(key), { ...plain, name: `m-${Buffer.from(key).toString('base64')}` }, plain],
  })),
  '/api/ps': answer((key) => ({ models: [entry(key), plain] })),
  '/api/show': answer((key) => ({
    details: { family: key, families: [key], parameter_size: key, quantization_level: key },
    model_info: { 'general.architecture': key, 'llama.context_length': 8_192 },
    parameters: `stop "${key}"\n${key} 1\nnum_ctx 4096`,
    capabilities: ['completion', key],
    modified_at: key,
    requires: key,
    remote_model: key,
    remote_host: key,
    license: key,
  })),
};

describe('a server echoing the key into its model lists and details', () => {
  it('listModels(), ps(), modelInfo() and health() return none of it', async () => {
    const server = await startRouteServer(routes);
    closers.push(() => server.close());
    const ollama = createOllamaProvider({ baseUrl: server.url, apiKey: KEY, retry: false });
    closers.push(() => ollama.close());
    const listed = await ollama.listModels();
    const loaded = await ollama.ps();
    const info = await ollama.modelInfo('llama3.2');
    const health = await ollama.health();
    expect(listed[0]).toMatchObject({
      name: '[redacted]',
      model: '[redacted]:latest',
      digest: '[redacted]',
      family: '[redacted]',
      families: ['[redacted]', 'llama'],
      capabilities: ['completion', '[redacted]'],
    });
    expect(listed[1]).toMatchObject({ name: 'm-[redacted]', family: 'llama' });
    const asSent = { ...namesOf(plain), digest: 'a80c4f17acd5', quantizationLevel: 'Q4_K_M' };
    expect(listed[2]).toMatchObject(asSent);
    expect(loaded[1]).toMatchObject(asSent);
    expect(info).toMatchObject({
      model: 'llama3.2',
      architecture: '[redacted]',
      family: '[redacted]',
      contextLength: 8_192,
      defaultNumCtx: 4_096,
      parameters: { stop: '[redacted]', '[redacted]': 1, num_ctx: 4_096 },
    });
    expect(health.loadedModels).toHaveLength(2);
    expect(health.version).toBe('[redacted]');
    expectNoSecret(JSON.stringify([listed, loaded, info, health, ollama.models]), KEY);
  }, 30_000);
});

function namesOf(model: { name: string; model: string }) {
  return { name: model.name, model: model.model };
}
