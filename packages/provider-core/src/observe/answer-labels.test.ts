// What a server words about its answer (its model, its finish reason) and what a request names
// become attributes of spans and metrics, event fields and log fields: bounded in number, in
// length, and never holding a key.
import { expectNoSecret, recordingLogger, watchOutputs } from '@x/internal/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { ask, observedProvider, startReplyServer } from '../__fixtures__/observed';
import { providersOf, sdk as sdkOf } from '../__fixtures__/otel-sdk';
import { shownAnswer } from '../pipeline/answer-fields';
import type { Runtime } from '../runtime';
import { Redactor } from '../secrets';
import { MAX_MODEL_NAME, MAX_MODELS, OVERFLOW_MODEL } from './model-labels';
import { createTelemetry } from './telemetry-option';

const cleanup: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

const sdk = () => sdkOf(cleanup);
const init = { id: 'x', name: 'x', origin: 'http://127.0.0.1:1', redact: (t: string) => t };
const answer = { usage: { promptTokens: 3, completionTokens: 4 }, timings: {} };

describe('the model attributes of the OpenTelemetry metrics', () => {
  it('keep gen_ai.request.model to the first 256 models, the rest under (other)', async () => {
    const otel = sdk();
    const telemetry = createTelemetry({ meterProvider: otel.meterProvider }, init)!;
    for (let i = 0; i < MAX_MODELS + 44; i++) {
      telemetry.start('chat', `model-${i}`, {}, false)!.succeeded(answer, {
        model: undefined,
        finishReason: undefined,
      });
    }
    const duration = (await otel.histograms()).get('gen_ai.client.operation.duration')!;
    const models = duration.dataPoints.map((p) => p.attributes['gen_ai.request.model']);
    expect(models).toHaveLength(MAX_MODELS + 1);
    expect(models).toContain('model-255');
    expect(models).not.toContain('model-256');
    const overflow = duration.dataPoints.find(
      (p) => p.attributes['gen_ai.request.model'] === OVERFLOW_MODEL,
    );
    expect(overflow!.value.count).toBe(44);
  });

  it('let no server naming a new model per answer push a later call into otel.metric.overflow: its response model folds, spans keep the exact one', async () => {
    const otel = sdk();
    const telemetry = createTelemetry(providersOf(otel), init)!;
    // more than the SDK's 2,000 series of one metric
    const answered = (model: string) => {
      // the answer as the request path hands it, with what may be shown of it
      const response = { ...answer, model, finishReason: 'stop' };
      return [response, { model, finishReason: 'stop' }] as const;
    };
    for (let i = 0; i < 2_100; i++) {
      telemetry.start('chat', 'm', {}, false)!.succeeded(...answered(`m-${i}`));
    }
    telemetry.start('chat', 'legit', {}, false)!.succeeded(...answered('legit-0613'));
    const histograms = await otel.histograms();
    for (const name of ['gen_ai.client.operation.duration', 'gen_ai.client.token.usage']) {
      const points = histograms.get(name)!.dataPoints;
      expect(points.some((p) => p.attributes['otel.metric.overflow'] !== undefined)).toBe(false);
      const legit = points.filter((p) => p.attributes['gen_ai.request.model'] === 'legit');
      expect(legit.length).toBeGreaterThan(0);
      for (const point of legit) {
        expect(point.attributes).toMatchObject({
          'gen_ai.operation.name': 'chat',
          'gen_ai.response.model': OVERFLOW_MODEL,
        });
      }
    }
    const duration = histograms.get('gen_ai.client.operation.duration')!.dataPoints;
    const responseModels = new Set(duration.map((p) => p.attributes['gen_ai.response.model']));
    // the first 256 (request model, response model) pairs, the rest folded
    expect(responseModels.size).toBe(MAX_MODELS + 1);
    expect(responseModels.has(OVERFLOW_MODEL)).toBe(true);
    const spans = otel.spans();
    expect(spans.at(-2)!.attributes['gen_ai.response.model']).toBe('m-2099');
    expect(spans.at(-1)!.attributes['gen_ai.response.model']).toBe('legit-0613');
  });
});

describe("an answer's model and finish reason", () => {
  it('reach no span, metric, event, channel, log or stats with any piece of the key a key callback handed out, and are cut to a bounded length', async () => {
    const server = await startReplyServer();
    cleanup.push(() => server.close());
    const keys: string[] = [];
    let echo = (key: string): Record<string, unknown> => ({ model: key, reason: `Bearer ${key}` });
    server.answerFields = (headers) => echo(String(headers.authorization).slice('Bearer '.length));
    const otel = sdk();
    const log = recordingLogger();
    const p = observedProvider(server.url, {
      // a fresh key per call: only the call's own redactor knows it for sure
      getApiKey: () => {
        const key = `sk-call-${keys.length}-Qm7Rt2Vx9Lp4Zw8Yk3`;
        keys.push(key);
        return key;
      },
      telemetry: providersOf(otel),
      logger: log.logger,
    });
    cleanup.push(() => p.core.close());
    const outputs = watchOutputs(facadeOf(p.core), 'provider-reply');
    cleanup.push(() => outputs.stop());
    const answers: unknown[] = [];
    answers.push(await p.complete(ask('m')));
    for await (const chunk of p.stream(ask('m'))) if (chunk.done) answers.push(chunk.response);
    // upper-cased: a long key is scrubbed in any case
    echo = (key) => ({ model: `${key.toUpperCase()}`, reason: 'stop' });
    answers.push(await p.complete(ask('m')));
    // 64 KiB of model name
    echo = () => ({ model: 'x'.repeat(64 * 1024), reason: 'y'.repeat(1024) });
    answers.push(await p.complete(ask('m')));

    const spans = otel.spans();
    const histograms = await otel.histograms();
    const points = [...histograms.values()].flatMap((h) => h.dataPoints);
    const observed = [
      JSON.stringify(spans.map((span) => [span.name, span.attributes, span.status])),
      JSON.stringify(points.map((point) => point.attributes)),
      JSON.stringify(outputs.seen),
      JSON.stringify(log.entries),
      JSON.stringify(p.core.stats()),
      p.core.toPrometheus(),
    ].join('\n');
    // the answers returned (and cached) are scrubbed too, not cut: they are the server's reply
    for (const key of keys) expectNoSecret(`${observed}\n${JSON.stringify(answers)}`, key);
    expect(spans[0]!.attributes['gen_ai.response.model']).toBe('[redacted]');
    expect(spans[0]!.attributes['gen_ai.response.finish_reasons']).toEqual(['Bearer [redacted]']);
    expect(spans[2]!.attributes['gen_ai.response.model']).toBe('[redacted]');
    const events = outputs.seen.filter((e) => (e as { cached?: unknown }).cached !== undefined);
    expect(events).toHaveLength(4 * 2); // each on the listener and the channel
    // the long one: cut on the span, the event and the metrics
    const long = spans[3]!.attributes['gen_ai.response.model'] as string;
    expect(long).toHaveLength(MAX_MODEL_NAME);
    expect(long.endsWith('…')).toBe(true);
    expect((spans[3]!.attributes['gen_ai.response.finish_reasons'] as string[])[0]).toHaveLength(
      64,
    );
    expect((events.at(-1) as { model: string }).model).toBe(long);
    const last = histograms.get('gen_ai.client.operation.duration')!.dataPoints.at(-1)!;
    expect(last.attributes['gen_ai.response.model']).toBe(long);
    expect(observed.length).toBeLessThan(64 * 1024);
  });
});

/** The listener surface `watchOutputs` reads, on a bare core. */
function facadeOf(core: ReturnType<typeof observedProvider>['core']) {
  return {
    onError: (listener: (event: unknown) => void) => core.on('error', listener),
    onRetry: (listener: (event: unknown) => void) => core.on('retry', listener),
    onResponse: (listener: (event: unknown) => void) => core.on('response', listener),
  };
}

describe('shownAnswer', () => {
  it('leaves out a model or finish reason holding a long secret no scrub saw (an answer cached before), and the empty ones', () => {
    const key = 'sk-cached-Zq7Xv9Lm3Pw8Hn5Ty2';
    const redactor = new Redactor();
    redactor.add(key);
    const rt = { redactor } as Runtime;
    expect(shownAnswer(rt, { model: `m-${key}`, finishReason: key.toUpperCase() })).toEqual({
      model: undefined,
      finishReason: undefined,
    });
    expect(shownAnswer(rt, { model: '', finishReason: 7 })).toEqual({
      model: undefined,
      finishReason: undefined,
    });
    expect(shownAnswer(rt, { model: 'llama3.2', finishReason: 'stop' })).toEqual({
      model: 'llama3.2',
      finishReason: 'stop',
    });
    // a cut never splits a surrogate pair into a lone half
    const cut = shownAnswer(rt, { model: `${'x'.repeat(MAX_MODEL_NAME - 2)}😀😀` }).model!;
    expect(cut).toHaveLength(MAX_MODEL_NAME);
    expect(cut.endsWith('x\uFFFD…')).toBe(true);
  });
});
