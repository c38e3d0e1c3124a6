import { Readable } from 'node:stream';
import { startOllamaSim } from '@x/ollama-sim';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type AuditEvent,
  createOllamaProvider,
  type OllamaProvider,
  prometheusText,
  type Transport,
} from './index';

const providers: OllamaProvider[] = [];
afterEach(async () => {
  delete process.env.OLLAMA_API_KEY;
  await Promise.all(providers.splice(0).map((p) => p.close()));
});

const chat = (model = 'llama3.2') => ({
  model,
  messages: [{ role: 'user' as const, content: 'Hi' }],
  cache: 'bypass' as const,
});

describe('OllamaProvider monitoring options', () => {
  it('labels its metrics with `name`, so two servers share one exposition (real simulator)', async () => {
    await using sim = await startOllamaSim({ tokensPerSecond: 0 });
    const a = createOllamaProvider({ baseUrl: sim.url, name: 'gpu-a' });
    const b = createOllamaProvider({ baseUrl: sim.url, name: 'gpu-b' });
    providers.push(a, b);
    expect(a.name).toBe('gpu-a');
    await a.complete(chat());
    await b.complete(chat('qwen3:4b'));
    const text = prometheusText(a, b);
    expect(text).toContain('x_provider_ollama_requests_total{provider="gpu-a",model="llama3.2"} 1');
    expect(text).toContain('x_provider_ollama_requests_total{provider="gpu-b",model="qwen3:4b"} 1');
    expect(
      text.match(/^# TYPE x_provider_ollama_request_duration_seconds histogram$/gm),
    ).toHaveLength(1);
  });

  it('logs through `logger` with the shared fields', async () => {
    await using sim = await startOllamaSim({ tokensPerSecond: 0 });
    const entries: Array<Record<string, unknown>> = [];
    const logger = { debug: (fields: Record<string, unknown>) => entries.push(fields) };
    const provider = createOllamaProvider({ baseUrl: sim.url, logger, name: 'local' });
    providers.push(provider);
    await provider.complete(chat());
    expect(entries).toContainEqual(
      expect.objectContaining({
        package: '@x/provider-ollama',
        provider: 'local',
        event: 'response',
        model: 'llama3.2',
      }),
    );
  });

  it('logs a silent truncation (warn) and a raised context window (info) against the real simulator', async () => {
    await using sim = await startOllamaSim({ tokensPerSecond: 0 });
    const entries: Array<{ level: string; fields: Record<string, unknown> }> = [];
    const at = (level: string) => (fields: Record<string, unknown>) =>
      entries.push({ level, fields });
    const logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
    const long = 'The quick brown fox jumps over the lazy dog. '.repeat(120);
    const allow = createOllamaProvider({
      baseUrl: sim.url,
      logger,
      tokens: { onOverflow: 'allow', numCtx: 256 },
    });
    const raise = createOllamaProvider({
      baseUrl: sim.url,
      logger,
      tokens: { onOverflow: 'raise', numCtx: 256 },
    });
    providers.push(allow, raise);
    await allow.complete({ ...chat(), messages: [{ role: 'user', content: long }] });
    await raise.complete({ ...chat(), messages: [{ role: 'user', content: long }] });
    expect(entries.filter((e) => e.level !== 'debug')).toEqual([
      {
        level: 'warn',
        fields: expect.objectContaining({ event: 'truncated', model: 'llama3.2', numCtx: 256 }),
      },
      {
        level: 'info',
        fields: expect.objectContaining({ event: 'context-raised', model: 'llama3.2', from: 256 }),
      },
    ]);
  });

  it('accepts `telemetry: false`', () => {
    const provider = createOllamaProvider({ baseUrl: 'http://127.0.0.1:1', telemetry: false });
    providers.push(provider);
    expect(provider.name).toBe('ollama');
  });
});

describe('OllamaProvider.onAudit', () => {
  it('names OLLAMA_API_KEY as the source of a key read from the environment, and reports a 401, never the key', async () => {
    process.env.OLLAMA_API_KEY = 'ollama-cloud-key-AUDIT-1234';
    const transport: Transport = async () => ({
      statusCode: 401,
      headers: { 'content-type': 'application/json' },
      body: Readable.from([Buffer.from('{"error":"unauthorized"}')]),
    });
    const provider = createOllamaProvider({
      baseUrl: 'https://ollama.com',
      transport,
      retry: false,
    });
    providers.push(provider);
    const events: AuditEvent[] = [];
    provider.onAudit((event) => events.push(event));
    await provider.version().catch(() => {});
    expect(events).toEqual([
      expect.objectContaining({
        type: 'credential-fetched',
        source: 'env',
        variable: 'OLLAMA_API_KEY',
        outcome: 'ok',
        provider: 'ollama',
      }),
      expect.objectContaining({ type: 'auth-rejected', endpoint: '/api/version', status: 401 }),
    ]);
    expect(JSON.stringify(events)).not.toContain('ollama-cloud-key');
  });
});
