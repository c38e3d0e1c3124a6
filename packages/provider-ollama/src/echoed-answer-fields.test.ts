// A hostile server (or a proxy echoing headers) answering the request's key as the answer's
// `model` and `done_reason`: the answer's fields leave the call as events, diagnostics channel
// messages, span and metric attributes and log fields, and none of them may hold the key.
import {
  expectNoSecret,
  type Handler,
  recordingLogger,
  startRouteServer,
  watchOutputs,
} from '@x/internal/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { chatChunk, doneChunk } from './__fixtures__/server';
import { createOllamaProvider, type OllamaProvider } from './provider';
import type { ChatRequest } from './types';

const closers: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

const ask: ChatRequest = { model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }] };

/**
 * A tracer and a meter provider keeping every span's attributes and every measurement's: what
 * an OpenTelemetry SDK would export.
 */
function fakeOtel() {
  const spans: Array<{ name: string; attributes: Record<string, unknown> }> = [];
  const measurements: Array<{ name: string; attributes: Record<string, unknown> }> = [];
  const tracerProvider = {
    getTracer: () => ({
      startSpan(name: string, options?: { attributes?: Record<string, unknown> }) {
        const span = { name, attributes: { ...options?.attributes } };
        spans.push(span);
        return {
          setAttribute(key: string, value: unknown) {
            span.attributes[key] = value;
          },
          setStatus(status: { message?: string }) {
            span.attributes['status.message'] = status.message;
          },
          end() {},
          isRecording: () => true,
        };
      },
    }),
  };
  const meterProvider = {
    getMeter: () => ({
      createHistogram: (name: string) => ({
        record(_value: number, attributes?: Record<string, unknown>) {
          measurements.push({ name, attributes: { ...attributes } });
        },
      }),
    }),
  };
  return { tracerProvider, meterProvider, spans, measurements };
}

/** `/api/chat` answering, streamed or not, with `fields(key)` in every line. */
function echoing(fields: (key: string) => Record<string, unknown>): Handler {
  return (req, res, received) => {
    const key = String(req.headers.authorization).slice('Bearer '.length);
    const extra = fields(key);
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    if (received.json?.stream === false) {
      res.end(doneChunk({ ...extra, message: { role: 'assistant', content: 'hello' } }));
      return;
    }
    res.write(chatChunk('hel', extra));
    res.write(chatChunk('lo', extra));
    res.end(doneChunk(extra));
  };
}

async function providerFor(handler: Handler) {
  const server = await startRouteServer({ '/api/chat': handler });
  closers.push(() => server.close());
  const keys: string[] = [];
  const otel = fakeOtel();
  const log = recordingLogger();
  const provider: OllamaProvider = createOllamaProvider({
    baseUrl: server.url,
    tokens: false,
    retry: false,
    // a fresh key per call: only that call's redactor is sure to know it
    getApiKey: () => {
      const key = `sk-ollama-${keys.length}-Zq7Xv9Lm3Pw8Rt2Yb6`;
      keys.push(key);
      return key;
    },
    telemetry: { tracerProvider: otel.tracerProvider, meterProvider: otel.meterProvider },
    logger: log.logger,
  });
  closers.push(() => provider.close());
  const outputs = watchOutputs(provider, 'provider-ollama');
  closers.push(() => outputs.stop());
  return { provider, keys, otel, log, outputs };
}

async function callBothWays(provider: OllamaProvider): Promise<unknown[]> {
  const answers: unknown[] = [await provider.complete(ask)];
  for await (const chunk of provider.stream(ask)) if (chunk.done) answers.push(chunk.response);
  return answers;
}

describe('a server echoing the key in `model` and `done_reason`', () => {
  it.each([
    ['Bearer <key>', (key: string) => `Bearer ${key}`],
    ['the bare key', (key: string) => key],
    ['the key upper-cased', (key: string) => key.toUpperCase()],
  ])(
    'leaks %s into no event, channel message, span or metric attribute, stats or log',
    async (_, echo) => {
      const { provider, keys, otel, log, outputs } = await providerFor(
        echoing((key) => ({ model: `llama3.2 ${echo(key)}`, done_reason: echo(key) })),
      );
      const answers = await callBothWays(provider);
      const everything = [
        JSON.stringify(outputs.seen),
        JSON.stringify(otel.spans),
        JSON.stringify(otel.measurements),
        JSON.stringify(provider.stats()),
        provider.toPrometheus(),
        JSON.stringify(log.entries),
        JSON.stringify(answers),
      ].join('\n');
      expect(keys).toHaveLength(2);
      for (const key of keys) expectNoSecret(everything, key);
      // what reached them: the model, scrubbed; the reason, outside the set Ollama documents
      const responses = outputs.seen.filter((e) => (e as { cached?: unknown }).cached === false);
      expect(responses).toHaveLength(4); // two calls, each on the listener and its channel
      for (const event of responses) {
        expect(event).toMatchObject({ model: expect.stringMatching(/^llama3\.2 .*\[redacted\]/) });
        expect((event as { finishReason: unknown }).finishReason).toBeUndefined();
      }
      for (const span of otel.spans) {
        expect(span.attributes['gen_ai.response.model']).toMatch(/\[redacted\]/);
        expect(span.attributes['gen_ai.response.finish_reasons']).toBeUndefined();
      }
      for (const answer of answers) {
        expect(answer).toMatchObject({
          finishReason: undefined,
          model: expect.stringMatching(/\[redacted\]/),
        });
      }
    },
  );

  it('keeps a reason Ollama documents as it is', async () => {
    const { provider, otel } = await providerFor(
      echoing(() => ({ model: 'llama3.2', done_reason: 'length' })),
    );
    const answers = await callBothWays(provider);
    for (const answer of answers) expect(answer).toMatchObject({ finishReason: 'length' });
    expect(otel.spans[0]!.attributes['gen_ai.response.finish_reasons']).toEqual(['length']);
  });
});

describe('a server naming a 64 KiB model', () => {
  it('puts at most 1,024 characters of it in a span, a metric attribute, an event or a log', async () => {
    const { provider, otel, log, outputs } = await providerFor(
      echoing(() => ({ model: 'x'.repeat(64 * 1024), done_reason: 'stop' })),
    );
    await callBothWays(provider);
    const values = [
      ...otel.spans.map((span) => span.attributes['gen_ai.response.model']),
      ...otel.measurements.map((m) => m.attributes['gen_ai.response.model']),
      ...outputs.seen.map((event) => (event as { model?: unknown }).model),
      ...log.entries.filter(([, fields]) => fields.event === 'response').map(([, f]) => f.model),
    ];
    expect(values.length).toBeGreaterThan(8);
    for (const value of values) {
      expect(typeof value).toBe('string');
      expect((value as string).length).toBeLessThanOrEqual(1024);
    }
    expect(otel.spans[0]!.attributes['gen_ai.response.model']).toMatch(/^x{1023}…$/);
  });
});
