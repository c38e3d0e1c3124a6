import { Counter, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { promtoolCheckMetrics } from '../../../../scripts/testing/prometheus';
import { ask, observedProvider, startReplyServer } from '../__fixtures__/observed';
import { prometheusText, registerPromClient } from '../index';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

async function providers(...names: string[]) {
  const server = await startReplyServer();
  cleanup.push(() => server.close());
  return names.map((name) => {
    const p = observedProvider(server.url, { name });
    cleanup.push(() => p.core.close());
    return p;
  });
}

describe('registerPromClient', () => {
  it("exposes the providers' metrics from an app's own prom-client registry, beside its own (real prom-client and promtool)", async () => {
    const [a] = await providers('a');
    const registry = new Registry();
    const own = new Counter({ name: 'app_orders_total', help: 'Orders.', registers: [registry] });
    own.inc();
    registerPromClient(registry, a!.core);
    await a!.complete(ask('m'));
    const text = await registry.metrics();
    expect(text).toContain('app_orders_total 1');
    expect(text).toContain('x_provider_reply_requests_total{provider="a",model="m"} 1');
    expect(text).toContain('# TYPE x_provider_reply_request_duration_seconds histogram');
    expect(text).toContain(
      'x_provider_reply_request_duration_seconds_count{provider="a",model="m"} 1',
    );
    // The same samples as our own rendering, read at scrape time.
    for (const line of prometheusText(a!.core)
      .split('\n')
      .filter((l) => l.startsWith('x_'))) {
      expect(text).toContain(line);
    }
    await a!.complete(ask('m'));
    expect(await registry.metrics()).toContain(
      'x_provider_reply_requests_total{provider="a",model="m"} 2',
    );
    const check = await promtoolCheckMetrics(text);
    expect(check.output).toBe('');
    expect(check.code).toBe(0);
  });

  it('joins a second provider of the same package to the families already registered, and takes it out again', async () => {
    const [a, b] = await providers('a', 'b');
    const registry = new Registry();
    registerPromClient(registry, a!.core);
    const off = registerPromClient(registry, b!.core);
    await a!.complete(ask('m'));
    await b!.complete(ask('m'));
    const text = await registry.metrics();
    expect(text.match(/# TYPE x_provider_reply_requests_total counter/g)).toHaveLength(1);
    expect(text).toContain('x_provider_reply_requests_total{provider="a",model="m"} 1');
    expect(text).toContain('x_provider_reply_requests_total{provider="b",model="m"} 1');
    off();
    const after = await registry.metrics();
    expect(after).toContain('provider="a"');
    expect(after).not.toContain('provider="b"');
  });

  it('names counters the OpenMetrics way when the registry speaks OpenMetrics', async () => {
    const [a] = await providers('a');
    const registry = new Registry<typeof Registry.OPENMETRICS_CONTENT_TYPE>();
    registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    registerPromClient(registry, a!.core);
    await a!.complete(ask('m'));
    const text = await registry.metrics();
    expect(text).toContain('# TYPE x_provider_reply_requests counter');
    expect(text).toContain('x_provider_reply_requests_total{provider="a",model="m"} 1');
    expect(text).not.toContain('_total_total');
  });

  it('throws when the registry already holds a metric of that name it did not add', async () => {
    const [a] = await providers('a');
    const registry = new Registry();
    new Counter({ name: 'x_provider_reply_requests_total', help: 'Mine.', registers: [registry] });
    expect(() => registerPromClient(registry, a!.core)).toThrow(
      'The registry already has a metric named x_provider_reply_requests_total that registerPromClient() did not add',
    );
  });
});
