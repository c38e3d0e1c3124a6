// Every series once in a scrape: a real Prometheus keeps the first of two series with the same
// name and labels and drops the other without a word, so a duplicate is a count silently lost.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type PrometheusHandle, startPrometheus } from '../../../../scripts/testing/prometheus';
import { ask, observedProvider, startReplyServer } from '../__fixtures__/observed';
import { prometheusText, registerPromClient } from '../index';

const cleanup: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

async function replyServer() {
  const server = await startReplyServer();
  cleanup.push(() => server.close());
  return server;
}

function provider(url: string, name?: string) {
  const p = observedProvider(url, name === undefined ? {} : { name });
  cleanup.push(() => p.core.close());
  return p;
}

/** The exposition's sample lines whose name and labels appear more than once. */
function duplicateSeries(text: string): string[] {
  const seen = new Set<string>();
  const twice: string[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const series = line.slice(0, line.lastIndexOf(' '));
    if (seen.has(series)) twice.push(series);
    seen.add(series);
  }
  return twice;
}

/** `/metrics` answering `render()`, on 127.0.0.1. */
async function metricsEndpoint(render: () => string | Promise<string>): Promise<string> {
  const server = http.createServer(async (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(await render());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(() => new Promise((resolve) => server.close(resolve)));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('models told apart only by lone surrogates', () => {
  it('are one series, holding all their calls, in a real Prometheus (real prometheus)', async () => {
    const server = await replyServer();
    const p = provider(server.url);
    for (let i = 0; i < 3; i++) await p.complete(ask('m\uD800'));
    await p.complete(ask('m\uD801'));
    expect(duplicateSeries(prometheusText(p.core))).toEqual([]);
    expect(Object.keys(p.core.stats().byModel)).toEqual(['m\uFFFD']);

    const target = await metricsEndpoint(() => prometheusText(p.core));
    const prometheus: PrometheusHandle = await startPrometheus({ target, scrapeIntervalMs: 200 });
    cleanup.push(() => prometheus.stop());
    await vi.waitFor(
      async () => {
        const result = await prometheus.query('x_provider_reply_requests_total');
        expect(result.map((r) => [r.metric.model, r.value?.[1]])).toEqual([['m\uFFFD', '4']]);
      },
      { timeout: 20_000, interval: 200 },
    );
  }, 30_000);
});

describe('two providers of one name', () => {
  it('are refused by prometheusText with a TypeError naming the name and the remedy', async () => {
    const server = await replyServer();
    const a = provider(server.url, 'gpu-a');
    const b = provider(server.url, 'gpu-a');
    await a.complete(ask('m'));
    await b.complete(ask('m'));
    expect(() => prometheusText(a.core, b.core)).toThrow(
      new TypeError(
        'Two metric sources have the provider label "gpu-a": their series would be identical and Prometheus would keep only one. Give each provider its own `name` option',
      ),
    );
    // before any call too: the names are compared, not only the series
    const c = provider(server.url, 'gpu-c');
    const d = provider(server.url, 'gpu-c');
    expect(() => prometheusText(c.core, d.core)).toThrow(/provider label "gpu-c"/);
    // one provider given twice is one source
    expect(duplicateSeries(prometheusText(a.core, a.core))).toEqual([]);
  });

  it('are refused by registerPromClient while both are open, leaving the registry as it was', async () => {
    const server = await replyServer();
    const a = provider(server.url, 'gpu-a');
    const b = provider(server.url, 'gpu-a');
    const registry = new Registry();
    registerPromClient(registry, a.core);
    expect(() => registerPromClient(registry, b.core)).toThrow(
      /^Two metric sources have the provider label "gpu-a".*own `name` option$/,
    );
    expect(() => registerPromClient(new Registry(), a.core, b.core)).toThrow(TypeError);
    await a.complete(ask('m'));
    await b.complete(ask('m'));
    const text = await registry.metrics();
    expect(duplicateSeries(text)).toEqual([]);
    expect(text).toContain('x_provider_reply_requests_total{provider="gpu-a",model="m"} 1');
  });

  it('make a prom-client scrape fail, naming the label, when the sources carry no name', async () => {
    const server = await replyServer();
    const a = provider(server.url, 'gpu-a');
    const b = provider(server.url, 'gpu-a');
    await a.complete(ask('m'));
    await b.complete(ask('m'));
    const registry = new Registry();
    // sources that only render: their samples' labels are all there is to compare
    registerPromClient(
      registry,
      { metricFamilies: () => a.core.metricFamilies() },
      { metricFamilies: () => b.core.metricFamilies() },
    );
    await expect(registry.metrics()).rejects.toThrow(/provider label "gpu-a"/);
  });
});

describe('registerPromClient and a closed provider', () => {
  it('lets it go: its series leave the scrape and a new provider of its name takes its place (real prometheus)', async () => {
    const server = await replyServer();
    const old = provider(server.url, 'gpu-a');
    const registry = new Registry();
    const offOld = registerPromClient(registry, old.core);
    for (let i = 0; i < 3; i++) await old.complete(ask('m'));
    await old.core.close();
    expect(await registry.metrics()).not.toContain('provider="gpu-a"');

    const replacement = provider(server.url, 'gpu-a');
    registerPromClient(registry, replacement.core);
    await replacement.complete(ask('m'));
    const text = await registry.metrics();
    expect(duplicateSeries(text)).toEqual([]);
    expect(text).toContain('x_provider_reply_requests_total{provider="gpu-a",model="m"} 1');
    // the first registration's unregister function leaves the replacement in
    offOld();
    expect(await registry.metrics()).toContain(
      'x_provider_reply_requests_total{provider="gpu-a",model="m"} 1',
    );

    const target = await metricsEndpoint(() => registry.metrics());
    const prometheus = await startPrometheus({ target, scrapeIntervalMs: 200 });
    cleanup.push(() => prometheus.stop());
    await vi.waitFor(
      async () => {
        const result = await prometheus.query('x_provider_reply_requests_total{provider="gpu-a"}');
        expect(result.map((r) => r.value?.[1])).toEqual(['1']);
      },
      { timeout: 20_000, interval: 200 },
    );
  }, 30_000);

  it('replaces a closed provider registered with the same name even before a scrape', async () => {
    const server = await replyServer();
    const old = provider(server.url, 'gpu-a');
    const registry = new Registry();
    registerPromClient(registry, old.core);
    await old.complete(ask('m'));
    await old.core.close();
    const replacement = provider(server.url, 'gpu-a');
    expect(() => registerPromClient(registry, replacement.core)).not.toThrow();
    await replacement.complete(ask('m'));
    await replacement.complete(ask('m'));
    const text = await registry.metrics();
    expect(duplicateSeries(text)).toEqual([]);
    expect(text).toContain('x_provider_reply_requests_total{provider="gpu-a",model="m"} 2');
  });
});
