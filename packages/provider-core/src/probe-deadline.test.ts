// A probe (a health check, a provider's look at what the server holds before a call) reads its
// answer whole: it must arrive within `firstTokenMs`, as every metadata answer must. A server
// that trickles it one byte at a time moved the idle deadline on with every byte and held the
// probe, and the call waiting on it, for as long as the trickle lasted.
import { startTrickle } from '@x/internal/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { cores, lineCore } from './__fixtures__/line-core';
import { ProviderTimeoutError } from './index';

const servers: { close(): Promise<unknown> }[] = [];

afterEach(async () => {
  await Promise.all(cores.splice(0).map((c) => c.destroy()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('ProviderCore.probe', () => {
  it('ends at firstTokenMs when the answer trickles, whatever idleMs', async () => {
    // 100 kB at a byte every 20 ms: half an hour of trickle, each byte well within idleMs
    const server = await startTrickle({
      body: `{"models":[]${' '.repeat(100_000)}}`,
      intervalMs: 20,
    });
    servers.push(server);
    const core = lineCore(server.url, { timeouts: { firstTokenMs: 400, idleMs: 200 } });
    const started = performance.now();
    const error = await core.probe('/api/ps', 'GET', undefined).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ProviderTimeoutError);
    expect(error).toMatchObject({ timeout: 'firstToken', timeoutMs: 400 });
    expect((error as Error).message).toMatch(/the whole answer/);
    expect(performance.now() - started).toBeLessThan(3_000);
  });

  it('still reads an answer that arrives in time', async () => {
    const server = await startTrickle({ body: '{"models":[]}', intervalMs: 1 });
    servers.push(server);
    const core = lineCore(server.url, { timeouts: { firstTokenMs: 2_000, idleMs: 500 } });
    await expect(core.probe('/api/ps', 'GET', undefined)).resolves.toBe('{"models":[]}');
  });
});
