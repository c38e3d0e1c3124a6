// Model management failures: what is never retried, and what progress lines may not leak.
import type http from 'node:http';
import { type OllamaSim, startOllamaSim } from '@x/ollama-sim';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './__fixtures__/server';
import { isOllamaApiError } from './errors';
import { createOllamaProvider, type OllamaProvider } from './provider';
import type { ProgressEvent } from './types';

const open: Array<OllamaSim | OllamaProvider | TestServer> = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

async function collect(iterable: AsyncIterable<ProgressEvent>): Promise<ProgressEvent[]> {
  const out: ProgressEvent[] = [];
  for await (const event of iterable) out.push(event);
  return out;
}

const error500 = (text: string) => (_req: unknown, res: http.ServerResponse) => {
  res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify({ error: text }));
};

describe('create failures that would fail the same way again', () => {
  it('quantizing an already quantized model is tried once, not retryable', async () => {
    const sim = await startOllamaSim({ loadTimeMs: 0 });
    const provider = createOllamaProvider({ baseUrl: sim.url, retry: { baseDelayMs: 1 } });
    open.push(provider, sim);
    const error = await collect(
      provider.create({ model: 'q', from: 'llama3.2', quantize: 'q4_K_M' }),
    ).catch((e: unknown) => e);
    expect(isOllamaApiError(error)).toBe(true);
    expect(error).toMatchObject({ statusCode: 500, retryable: false });
    expect((error as Error).message).toContain('quantization is only supported for F16');
    expect(sim.requests.filter((r) => r.path === '/api/create')).toHaveLength(1);
  });

  it.each([
    'unsupported quantization type Q9_X - supported types are F32, F16, Q4_K_M, Q8_0',
    `open /root/.ollama/models/blobs/sha256-${'a'.repeat(64)}: no such file or directory`,
  ])('%s: one attempt', async (text) => {
    const server = await startServer({ '/api/create': error500(text) });
    const provider = createOllamaProvider({ baseUrl: server.url, retry: { baseDelayMs: 1 } });
    open.push(provider, server);
    const error = await collect(provider.create({ model: 'q', from: 'x' })).catch((e) => e);
    expect(error).toMatchObject({ statusCode: 500, retryable: false });
    expect(server.requests).toHaveLength(1);
  });
});

describe('progress lines', () => {
  it('are scrubbed of the API key, as error lines are', async () => {
    const key = 'sk-test-0123456789abcdef';
    const server = await startServer({
      '/api/pull': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        res.end(
          `${JSON.stringify({ status: `pulling Bearer ${key}`, digest: `sha256:${key}` })}\n{"status":"success"}\n`,
        );
      },
    });
    const provider = createOllamaProvider({ baseUrl: server.url, apiKey: key });
    open.push(provider, server);
    const events = await collect(provider.pull({ model: 'm' }));
    expect(JSON.stringify(events)).not.toContain(key);
    expect(events[0]!.status).toMatch(/^pulling /);
  });
});
