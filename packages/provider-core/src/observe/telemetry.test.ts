import { context, metrics, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ask, observedProvider, startReplyServer } from '../__fixtures__/observed';
import { providersOf, sdk as sdkOf } from '../__fixtures__/otel-sdk';
import type { Transport } from '../index';
import { readApi } from './otel-api';
import { within } from './telemetry';
import { createTelemetry } from './telemetry-option';

const contextManager = new AsyncLocalStorageContextManager();
beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
});
afterAll(() => {
  context.disable();
});

const cleanup: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

/** The SDK, shut down after the test. */
const sdk = () => sdkOf(cleanup);

async function server() {
  const s = await startReplyServer();
  cleanup.push(() => s.close());
  return s;
}

describe('telemetry (OpenTelemetry GenAI conventions, in-memory exporters)', () => {
  it('ends one CLIENT span per call named "chat <model>" with the GenAI attributes', async () => {
    const otel = sdk();
    const s = await server();
    const p = observedProvider(s.url, { name: 'gpu-a', telemetry: providersOf(otel) });
    cleanup.push(() => p.core.close());
    await p.complete({ ...ask('llama3.2'), maxTokens: 64, topP: 0.9, seed: 7 });
    const [span, ...more] = otel.spans();
    expect(more).toEqual([]);
    expect(span!.name).toBe('chat llama3.2');
    expect(span!.kind).toBe(SpanKind.CLIENT);
    expect(span!.status.code).toBe(SpanStatusCode.UNSET);
    expect(span!.instrumentationScope.name).toBe('@x/provider-core');
    expect(span!.attributes).toEqual({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'reply',
      'gen_ai.system': 'reply',
      'server.address': '127.0.0.1',
      'server.port': Number(new URL(s.url).port),
      'gen_ai.request.model': 'llama3.2',
      'gen_ai.request.temperature': 0,
      'gen_ai.request.top_p': 0.9,
      'gen_ai.request.max_tokens': 64,
      'gen_ai.request.seed': 7,
      'x.provider.name': 'gpu-a',
      'gen_ai.response.model': 'llama3.2-0613',
      'gen_ai.usage.input_tokens': 4,
      'gen_ai.usage.output_tokens': 4,
      'gen_ai.response.finish_reasons': ['stop'],
      'x.cached': false,
      'x.attempts': 1,
    });
  });

  it('records gen_ai.client.operation.duration and gen_ai.client.token.usage with the advised buckets', async () => {
    const otel = sdk();
    const s = await server();
    const p = observedProvider(s.url, { telemetry: providersOf(otel) });
    cleanup.push(() => p.core.close());
    await p.complete(ask('m'));
    for await (const _ of p.stream(ask('m')));
    const histograms = await otel.histograms();
    const duration = histograms.get('gen_ai.client.operation.duration')!;
    expect(duration.descriptor.unit).toBe('s');
    const [point] = duration.dataPoints;
    expect(point!.value.count).toBe(2);
    expect(point!.value.buckets.boundaries).toEqual([
      0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
    ]);
    expect(point!.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'reply',
      'gen_ai.request.model': 'm',
      'gen_ai.response.model': 'm-0613',
    });
    const tokens = histograms.get('gen_ai.client.token.usage')!;
    expect(tokens.descriptor.unit).toBe('{token}');
    const byType = Object.fromEntries(
      tokens.dataPoints.map((d) => [d.attributes['gen_ai.token.type'], d.value]),
    );
    expect(byType.input).toMatchObject({ count: 2, sum: 8 });
    expect(byType.output).toMatchObject({ count: 2, sum: 8 });
    expect(tokens.dataPoints[0]!.value.buckets.boundaries.slice(0, 4)).toEqual([1, 4, 16, 64]);
  });

  it('marks a failed call with error.type and an error status whose message holds no secret', async () => {
    const otel = sdk();
    const s = await server();
    s.status = 503;
    const key = 'sk-otel-Zq7Xv9Lm3Pw8';
    const p = observedProvider(s.url, { apiKey: key, retry: false, telemetry: providersOf(otel) });
    cleanup.push(() => p.core.close());
    await p.complete(ask('m')).catch(() => {});
    const [span] = otel.spans();
    expect(span!.attributes['error.type']).toBe('X_PROVIDER_REPLY_SERVER_BUSY');
    expect(span!.status.code).toBe(SpanStatusCode.ERROR);
    expect(JSON.stringify([span!.attributes, span!.status, span!.events])).not.toContain(key);
    const duration = (await otel.histograms()).get('gen_ai.client.operation.duration')!;
    expect(duration.dataPoints[0]!.attributes['error.type']).toBe('X_PROVIDER_REPLY_SERVER_BUSY');
  });

  it('marks a call its caller aborted with x.cancelled, no error status and no duration', async () => {
    const otel = sdk();
    const s = await server();
    const p = observedProvider(s.url, { retry: false, telemetry: providersOf(otel) });
    cleanup.push(() => p.core.close());
    const reason = new Error('the user left');
    const aborted = { ...ask('m'), signal: AbortSignal.abort(reason) };
    await expect(p.complete(aborted)).rejects.toBe(reason);
    await expect(p.stream(aborted).next()).rejects.toBe(reason);
    const spans = otel.spans();
    expect(spans).toHaveLength(2);
    for (const span of spans) {
      expect(span.attributes['x.cancelled']).toBe(true);
      expect(span.attributes['error.type']).toBeUndefined();
      expect(span.status.code).toBe(SpanStatusCode.UNSET);
    }
    expect((await otel.histograms()).get('gen_ai.client.operation.duration')).toBeUndefined();
  });

  it("nests under the caller's active span and is the active span while its attempts are sent", async () => {
    const otel = sdk();
    const s = await server();
    const active: Array<string | undefined> = [];
    const transport: Transport = (url, options) => {
      active.push(trace.getActiveSpan()?.spanContext().spanId);
      return request(url, options as never) as never;
    };
    const p = observedProvider(s.url, { telemetry: providersOf(otel), transport, pool: undefined });
    cleanup.push(() => p.core.close());
    const tracer = otel.tracerProvider.getTracer('app');
    await tracer.startActiveSpan('handle request', async (parent) => {
      await p.complete(ask('m'));
      for await (const _ of p.stream({ ...ask('m'), cache: 'bypass' }));
      parent.end();
    });
    const spans = otel.spans();
    const parent = spans.find((x) => x.name === 'handle request')!;
    const calls = spans.filter((x) => x.name === 'chat m');
    expect(calls).toHaveLength(2);
    for (const call of calls) {
      expect(call.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    }
    expect(active).toEqual(calls.map((c) => c.spanContext().spanId));
    expect(calls[1]!.attributes['gen_ai.request.stream']).toBe(true);
    expect(calls[1]!.attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThan(0);
  });

  it('uses the globally registered providers by default and records nothing with telemetry: false', async () => {
    const otel = sdk();
    trace.setGlobalTracerProvider(otel.tracerProvider);
    cleanup.push(() => trace.disable());
    const s = await server();
    const off = observedProvider(s.url, { telemetry: false });
    const on = observedProvider(s.url);
    cleanup.push(
      () => off.core.close(),
      () => on.core.close(),
    );
    await off.complete(ask('quiet'));
    await on.complete(ask('traced'));
    expect(otel.spans().map((x) => x.name)).toEqual(['chat traced']);
  });

  it('refuses a telemetry option that is neither false nor providers, naming it', () => {
    expect(() => observedProvider('http://127.0.0.1:1', { telemetry: true as never })).toThrow(
      new TypeError(
        'Expected `telemetry` to be `{ tracerProvider?, meterProvider? }` or false, got `true` (boolean)',
      ),
    );
    expect(() =>
      observedProvider('http://127.0.0.1:1', { telemetry: { tracer: {} } as never }),
    ).toThrow(/Unknown option `telemetry.tracer`: did you mean `telemetry.tracerProvider`\?/);
  });
});

describe('Telemetry without an SDK', () => {
  const init = { id: 'x', name: 'x', origin: 'http://127.0.0.1:1', redact: (t: string) => t };
  const answer = { usage: { promptTokens: 3, completionTokens: 4 }, timings: {} };
  const shown = { model: 'm', finishReason: undefined };

  it('measures nothing while the global meter is the no-op one, and measures once an SDK is registered', async () => {
    const telemetry = createTelemetry({}, init)!;
    expect(telemetry.measuring()).toBe(false);
    const otel = sdk();
    metrics.setGlobalMeterProvider(otel.meterProvider);
    cleanup.push(() => metrics.disable());
    expect(telemetry.measuring()).toBe(true);
    telemetry.start('chat', 'm', {}, false)!.succeeded(answer, shown);
    const histograms = await otel.histograms();
    const tokens = histograms.get('gen_ai.client.token.usage')!;
    expect(tokens.dataPoints.map((p) => p.attributes['gen_ai.token.type']).sort()).toEqual([
      'input',
      'output',
    ]);
    expect(histograms.get('gen_ai.client.operation.duration')!.dataPoints[0]!.attributes).toEqual({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'x',
      'gen_ai.system': 'x',
      'server.address': '127.0.0.1',
      'server.port': 1,
      'gen_ai.request.model': 'm',
      'gen_ai.response.model': 'm',
    });
  });

  it("starts nothing while no SDK is registered, leaving the caller's context as it is", async () => {
    const telemetry = createTelemetry({}, init)!;
    const untraced = telemetry.start('chat', 'm', {}, false);
    expect(untraced).toBeUndefined();
    expect(within(untraced, () => trace.getActiveSpan())).toBeUndefined();
    // A caller traced by an SDK that is not registered globally keeps its span active.
    const otel = sdk();
    const parent = otel.tracerProvider.getTracer('app').startSpan('handle request');
    const active = context.with(trace.setSpan(context.active(), parent), () =>
      within(telemetry.start('chat', 'm', {}, false), () => trace.getActiveSpan()),
    );
    expect(active?.spanContext().spanId).toBe(parent.spanContext().spanId);
    parent.end();
  });

  it('traces from the first call after an SDK registers its tracer provider', () => {
    const telemetry = createTelemetry({}, init)!;
    expect(telemetry.start('chat', 'before', {}, false)).toBeUndefined();
    const otel = sdk();
    trace.setGlobalTracerProvider(otel.tracerProvider);
    cleanup.push(() => trace.disable());
    const call = telemetry.start('chat', 'after', {}, false);
    expect(call).toBeDefined();
    call!.succeeded(answer, shown);
    expect(otel.spans().map((span) => span.name)).toEqual(['chat after']);
  });
});

describe('readApi', () => {
  it('returns null, and the provider records nothing, when @opentelemetry/api is not installed', () => {
    const missing = () => {
      throw Object.assign(new Error("Cannot find module '@opentelemetry/api'"), {
        code: 'MODULE_NOT_FOUND',
      });
    };
    expect(readApi(missing)).toBeNull();
    expect(readApi(() => ({}))).toBeNull();
    const init = { id: 'x', name: 'x', origin: 'http://127.0.0.1:1', redact: (t: string) => t };
    expect(createTelemetry({}, init, () => null)).toBeUndefined();
    // a provider given explicitly asks for telemetry: without the API it would record nothing
    expect(() =>
      createTelemetry({ tracerProvider: trace.getTracerProvider() }, init, () => null),
    ).toThrow(/^`telemetry\.tracerProvider` needs `@opentelemetry\/api`/);
    expect(() =>
      createTelemetry({ meterProvider: metrics.getMeterProvider() }, init, () => null),
    ).toThrow(TypeError);
    let loaded = false;
    expect(
      createTelemetry(false, init, () => {
        loaded = true;
        return null;
      }),
    ).toBeUndefined();
    expect(loaded).toBe(false);
  });
});
