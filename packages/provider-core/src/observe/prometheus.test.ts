import { afterEach, describe, expect, it } from 'vitest';
import { promtoolCheckMetrics } from '../../../../scripts/testing/prometheus';
import {
  ask,
  observedProvider,
  type ReplyServer,
  startReplyServer,
} from '../__fixtures__/observed';
import { prometheusText } from '../index';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

async function setup() {
  const server = await startReplyServer();
  cleanup.push(() => server.close());
  return server;
}

function provider(server: ReplyServer, options: Parameters<typeof observedProvider>[1] = {}) {
  const p = observedProvider(server.url, { retry: { retries: 1, baseDelayMs: 1 }, ...options });
  cleanup.push(() => p.core.close());
  return p;
}

async function drain(iterable: AsyncIterable<unknown>) {
  for await (const _ of iterable);
}

describe('prometheusText', () => {
  it('passes promtool check metrics for two providers of one package, with escaped labels, streams and failures (real promtool)', async () => {
    const server = await setup();
    const a = provider(server, { name: 'gpu-a' });
    // neither a name nor a model holds a control character (a newline is refused): the labels
    // escape quotes and backslashes
    const b = provider(server, { name: 'gpu "b"\\c' });
    await a.complete(ask('llama3.2'));
    await a.complete(ask('qwen "2.5"\\'));
    await drain(a.stream(ask('llama3.2')));
    await b.complete(ask('llama3.2'));
    server.status = 503;
    await a.complete(ask('llama3.2')).catch(() => {});
    server.status = 200;
    const text = prometheusText(a.core, b.core);
    const result = await promtoolCheckMetrics(text);
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
    // Each family once, with both providers' samples.
    expect(text.match(/^# TYPE x_provider_reply_requests_total counter$/gm)).toHaveLength(1);
    expect(text).toContain('x_provider_reply_requests_total{provider="gpu-a",model="llama3.2"} 3');
    expect(text).toContain(
      String.raw`x_provider_reply_requests_total{provider="gpu \"b\"\\c",model="llama3.2"} 1`,
    );
    expect(text).toContain(
      String.raw`x_provider_reply_successes_total{provider="gpu-a",model="qwen \"2.5\"\\"} 1`,
    );
    expect(text).toContain(
      'x_provider_reply_failures_total{provider="gpu-a",model="llama3.2",code="X_PROVIDER_REPLY_SERVER_BUSY"} 1',
    );
  });

  it('renders latency as a histogram whose buckets, sum and count add up across providers', async () => {
    const server = await setup();
    const a = provider(server, { name: 'a' });
    const b = provider(server, { name: 'b' });
    for (let i = 0; i < 3; i++) await a.complete(ask('m'));
    await b.complete(ask('m'));
    const text = prometheusText(a.core, b.core);
    expect(text).toContain('# TYPE x_provider_reply_request_duration_seconds histogram');
    const bucket = (p: string, le: string) =>
      Number(
        new RegExp(
          String.raw`x_provider_reply_request_duration_seconds_bucket\{provider="${p}",model="m",le="${le.replace('+', '\\+')}"\} (\S+)`,
        ).exec(text)?.[1],
      );
    expect(bucket('a', '+Inf')).toBe(3);
    expect(bucket('b', '+Inf')).toBe(1);
    // Cumulative: each bound counts at least what the one below it counts.
    const les = [
      ...text.matchAll(
        /request_duration_seconds_bucket\{provider="a",model="m",le="([^"]+)"\} (\S+)/g,
      ),
    ];
    expect(les.map(([, le]) => le)).toEqual([
      '0.005',
      '0.01',
      '0.025',
      '0.05',
      '0.1',
      '0.25',
      '0.5',
      '1',
      '2.5',
      '5',
      '10',
      '15',
      '30',
      '60',
      '120',
      '300',
      '600',
      '+Inf',
    ]);
    const counts = les.map(([, , n]) => Number(n));
    expect(counts).toEqual([...counts].sort((x, y) => x - y));
    expect(text).toMatch(
      /x_provider_reply_request_duration_seconds_count\{provider="a",model="m"\} 3\n/,
    );
    expect(text).toMatch(
      /x_provider_reply_request_duration_seconds_sum\{provider="a",model="m"\} 0\.\d+/,
    );
    expect(text).toContain(
      'x_provider_reply_request_prompt_tokens_bucket{provider="a",model="m",le="4"} 3',
    );
  });

  it('folds the models past 256 into model="(other)", a label no request can have, and keeps a real other among them', async () => {
    const server = await setup();
    const a = provider(server);
    await a.complete(ask('other'));
    for (let i = 0; i < 260; i++) await a.complete(ask(`model-${i}`));
    const text = a.core.toPrometheus();
    const models = new Set(
      [
        ...text.matchAll(/^x_provider_reply_requests_total\{provider="reply",model="([^"]*)"\}/gm),
      ].map(([, m]) => m),
    );
    expect(models.size).toBe(257);
    expect(text).toContain('x_provider_reply_requests_total{provider="reply",model="other"} 1');
    expect(text).toContain('x_provider_reply_requests_total{provider="reply",model="(other)"} 5');
    expect(a.core.stats().requests).toBe(261);
    await expect(a.complete(ask('(other)'))).rejects.toThrow(
      /^Expected `request\.model` to be a model name other than "\(other\)"/,
    );
  }, 30_000); // 257 calls: room for a loaded runner

  it('refuses calls naming 1 MiB models, naming `request.model`, and keeps rendering (was: RangeError: Invalid string length)', async () => {
    const server = await setup();
    const a = provider(server, { retry: false });
    await a.complete(ask('m'));
    for (let i = 0; i < 40; i++) {
      const error = await a.complete(ask(`${i}`.padEnd(1024 * 1024, 'x'))).catch((e) => e);
      expect(error).toBeInstanceOf(RangeError);
      expect((error as Error).message).toBe(
        'Expected `request.model` to be a model name of at most 1024 characters, got a string of 1048576',
      );
    }
    const text = prometheusText(a.core);
    expect(text.length).toBeLessThan(64 * 1024);
    expect(text).toContain('x_provider_reply_requests_total{provider="reply",model="m"} 1');
  });

  it('says in the HELP of cancelled_total that calls destroy() or close() ended are counted there', async () => {
    const server = await setup();
    const a = provider(server);
    expect(a.core.toPrometheus()).toContain(
      '# HELP x_provider_reply_cancelled_total Calls the caller aborted, streams it stopped reading before the end, and calls destroy() or close() ended.',
    );
  });

  it('counts a server metadata call naming no model in attempts_total under model="" and says so in the HELP of both counters', async () => {
    const server = await setup();
    const a = provider(server);
    // A metadata call (a model list, `initialize()`'s readiness check): an HTTP attempt, no request.
    await a.core.request({
      endpoint: '/v1/reply',
      method: 'POST',
      payload: { prompt: 'x', stream: false },
    });
    const text = a.core.toPrometheus();
    expect(text).toContain('x_provider_reply_attempts_total{provider="reply",model=""} 1');
    expect(text).toContain('x_provider_reply_requests_total{provider="reply",model=""} 0');
    // A reader of those two samples side by side is told what the empty model is.
    expect(text).toContain(
      '# HELP x_provider_reply_attempts_total HTTP attempts: retries included, and server metadata calls (model lists, model details; an empty model label when they name none), which requests_total does not count. Health probes are counted nowhere.',
    );
    expect(text).toContain(
      '# HELP x_provider_reply_requests_total Logical calls (complete, stream, embed...), cache hits included; not server metadata calls (counted in attempts_total).',
    );
  });
});
