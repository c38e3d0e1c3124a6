import { trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, expect, it, vi } from 'vitest';
import { createTelemetry } from './telemetry-option';

// No context manager is registered in this file: the API's global registry starts absent, as in
// an application that has @opentelemetry/api installed (a dependency of a dependency) and no SDK.
const REGISTRY = Symbol.for('opentelemetry.js.api.1');
const init = { id: 'x', name: 'x', origin: 'http://127.0.0.1:1', redact: (t: string) => t };

afterEach(() => {
  trace.disable();
  vi.restoreAllMocks();
});

it('uses providers given in its options while nothing is registered globally', async () => {
  expect((globalThis as Record<symbol, unknown>)[REGISTRY]).toBeUndefined();
  const spans = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  const telemetry = createTelemetry({ tracerProvider: provider }, init)!;
  telemetry
    .start('chat', 'given', {}, false)!
    .succeeded(
      { usage: { promptTokens: 1, completionTokens: 1 }, timings: {} },
      { model: 'm', finishReason: undefined },
    );
  expect(spans.getFinishedSpans().map((span) => span.name)).toEqual(['chat given']);
  await provider.shutdown();
});

it('asks the API for nothing while nothing is registered with it, and traces once an SDK is', async () => {
  expect((globalThis as Record<symbol, unknown>)[REGISTRY]).toBeUndefined();
  const telemetry = createTelemetry({}, init)!;
  const asked = vi.spyOn(trace, 'getTracerProvider');
  expect(telemetry.start('chat', 'before', {}, false)).toBeUndefined();
  expect(asked).not.toHaveBeenCalled();

  const spans = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  trace.setGlobalTracerProvider(provider);
  const call = telemetry.start('chat', 'after', {}, false);
  expect(call).toBeDefined();
  call!.succeeded(
    { usage: { promptTokens: 1, completionTokens: 1 }, timings: {} },
    { model: 'm', finishReason: undefined },
  );
  expect(spans.getFinishedSpans().map((span) => span.name)).toEqual(['chat after']);
  await provider.shutdown();
});
