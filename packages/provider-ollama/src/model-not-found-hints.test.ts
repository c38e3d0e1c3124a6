// What a missing model says, per call, against @x/ollama-sim: the advice fits what was asked.
import type http from 'node:http';
import { type OllamaSim, startOllamaSim } from '@x/ollama-sim';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './__fixtures__/server';
import {
  isModelNotFoundError,
  isOllamaApiError,
  isOllamaStreamError,
  ModelNotFoundError,
} from './errors';
import { createOllamaProvider, type OllamaProvider } from './provider';

const sims: (OllamaSim | TestServer)[] = [];
const providers: OllamaProvider[] = [];

afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.close()));
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

async function setup(): Promise<OllamaProvider> {
  const sim = await startOllamaSim({ loadTimeMs: 0 });
  sims.push(sim);
  const provider = createOllamaProvider({ baseUrl: sim.url, retry: { baseDelayMs: 1 } });
  providers.push(provider);
  return provider;
}

async function drain(iterable: AsyncIterable<unknown>): Promise<unknown> {
  try {
    for await (const _ of iterable);
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('OllamaProvider.pull', () => {
  it('ends with ModelNotFoundError naming the model when the registry lacks it', async () => {
    const provider = await setup();
    const error = await drain(provider.pull({ model: 'nosuch:1b' }));
    expect(isModelNotFoundError(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'X_PROVIDER_OLLAMA_MODEL_NOT_FOUND',
      model: 'nosuch:1b',
      endpoint: '/api/pull',
      retryable: false,
      serverMessage: 'pull model manifest: file does not exist',
    });
    expect(error).not.toHaveProperty('partial');
    const { message } = error as Error;
    expect(message).toContain('"nosuch:1b"');
    expect(message).toContain('not in the registry');
    expect(message).not.toContain('ollama pull');
  });
});

describe('OllamaProvider.create', () => {
  it('ends with ModelNotFoundError naming its `from` when neither the server nor the registry has it', async () => {
    const provider = await setup();
    const error = await drain(provider.create({ model: 'mine', from: 'nosuch:1b' }));
    expect(isModelNotFoundError(error)).toBe(true);
    expect(error).toMatchObject({
      model: 'nosuch:1b',
      endpoint: '/api/create',
      serverMessage: 'pull model manifest: file does not exist',
    });
    expect((error as Error).message).toContain('"nosuch:1b" (create()\'s `from`)');
  });
});

/** A progress stream that fails with Ollama's `{"error"}` line after its first step. */
const failing = (status: string, error: string) => (_req: unknown, res: http.ServerResponse) => {
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  res.end(`${JSON.stringify({ status })}\n${JSON.stringify({ error })}\n`);
};

describe('pull and push error lines', () => {
  it.each([
    ['/api/pull', 'pull model manifest: file does not exist'],
    [
      '/api/pull',
      'pull model manifest: file does not exist\n\nTry one of these models:\n  m:cloud',
    ],
    ['/api/pull', 'model "m" not found'],
    ['/api/pull', 'model not found'],
    [
      '/api/push',
      'open /root/.ollama/models/manifests/registry.ollama.ai/library/m/latest: no such file or directory',
    ],
    [
      '/api/push',
      'open C:\\Users\\me\\.ollama\\models\\manifests\\registry.ollama.ai\\library\\m\\latest: The system cannot find the path specified.',
    ],
  ])('reads %s %j as ModelNotFoundError', async (endpoint, error) => {
    const server = await startServer({ [endpoint]: failing('pulling manifest', error) });
    sims.push(server);
    const provider = createOllamaProvider({ baseUrl: server.url });
    providers.push(provider);
    const call = endpoint === '/api/pull' ? provider.pull : provider.push;
    const thrown = await drain(call.call(provider, { model: 'm' }));
    expect(isModelNotFoundError(thrown)).toBe(true);
    // the server's line breaks kept escaped: its text cannot start a line of its own in a log
    const kept = error.replaceAll('\n', '\\u000a');
    expect(thrown).toMatchObject({ model: 'm', endpoint, serverMessage: kept });
  });

  it.each([
    'pull model manifest: 401: unauthorized',
    'open /root/.ollama/models/blobs/sha256-abc: no such file or directory',
    'max retries exceeded: file does not exist',
  ])('keeps %j a stream error', async (error) => {
    const server = await startServer({ '/api/pull': failing('pulling manifest', error) });
    sims.push(server);
    const provider = createOllamaProvider({ baseUrl: server.url });
    providers.push(provider);
    const thrown = await drain(provider.pull({ model: 'm' }));
    expect(isOllamaStreamError(thrown)).toBe(true);
    expect(thrown).toMatchObject({ serverMessage: error });
  });
});

describe('OllamaProvider.push', () => {
  it('ends with ModelNotFoundError naming the model when the server does not have it', async () => {
    const provider = await setup();
    const error = await drain(provider.push({ model: 'nosuch' }));
    expect(isModelNotFoundError(error)).toBe(true);
    expect(error).toMatchObject({ model: 'nosuch', endpoint: '/api/push' });
    expect((error as Error).message).toMatch(/"nosuch" was not found .*nothing to push/);
    expect((error as Error).message).not.toContain('ollama pull');
  });
});

describe('OllamaProvider.deleteModel', () => {
  it('says there is nothing to delete, not to pull the model, when it is missing', async () => {
    const provider = await setup();
    const error = await provider.deleteModel('nosuch').catch((e: unknown) => e);
    expect(isModelNotFoundError(error)).toBe(true);
    expect((error as Error).message).toBe(
      'Model "nosuch" was not found on the Ollama server: there is nothing to delete (`listModels()` lists what it has)',
    );
  });
});

describe('OllamaProvider.copyModel', () => {
  it('says the source does not exist, not to pull it, when it is missing', async () => {
    const provider = await setup();
    const error = await provider
      .copyModel({ source: 'nosuch', destination: 'x' })
      .catch((e: unknown) => e);
    expect(isModelNotFoundError(error)).toBe(true);
    expect((error as ModelNotFoundError).model).toBe('nosuch');
    expect((error as Error).message).toBe(
      'Model "nosuch" was not found on the Ollama server: the copy\'s source does not exist (`listModels()` lists what it has)',
    );
  });
});

describe('ModelNotFoundError', () => {
  it('still tells a chat to pull the model', async () => {
    const provider = await setup();
    const error = await provider
      .complete({ model: 'nosuch', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(isOllamaApiError(error)).toBe(true);
    expect((error as Error).message).toBe(
      'Model "nosuch" was not found on the Ollama server (pull it with `ollama pull nosuch`)',
    );
    expect(error).toBeInstanceOf(ModelNotFoundError);
  });
});
