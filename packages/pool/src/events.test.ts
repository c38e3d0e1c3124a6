import diagnosticsChannel from 'node:diagnostics_channel';
import { until } from '@x/internal/testing';
import { describe, expect, it } from 'vitest';
import { text, useServersAndPools } from './__fixtures__/servers';
import type { PoolDisconnectEvent } from './events';

// The connect and disconnect events: listeners, their unsubscribe and errors, and the
// diagnostics channel.

const { server, pool } = useServersAndPools();

describe('createPool', () => {
  it('publishes connect events on the x:pool:connect diagnostics channel', async () => {
    const s = await server();
    const p = pool();
    const seen: unknown[] = [];
    const onMessage = (message: unknown) => seen.push(message);
    diagnosticsChannel.subscribe('x:pool:connect', onMessage);
    try {
      await text(p.request(s.url));
    } finally {
      diagnosticsChannel.unsubscribe('x:pool:connect', onMessage);
    }
    expect(seen).toEqual([{ origin: s.url, address: '127.0.0.1', totalConnections: 1 }]);
  });

  it('keeps serving when a listener throws, turning the throw into a warning naming @x/pool and the event', async () => {
    const s = await server();
    const p = pool();
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    p.onConnect(() => {
      throw new Error('listener bug');
    });
    try {
      expect(await text(p.request(s.url))).toBe('ok');
      await until(() => warnings.length > 0);
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.map((w) => w.message)).toEqual([
      "@x/pool: a 'connect' listener threw: Error: listener bug",
    ]);
    expect(warnings[0]).toMatchObject({ name: 'XListenerError', code: 'X_POOL_LISTENER_ERROR' });
  });

  it('stops calling a listener after its unsubscribe function ran', async () => {
    const s = await server({ closeConnection: true });
    const p = pool();
    const seen: string[] = [];
    const off = p.onConnect((e) => seen.push(e.origin));
    await text(p.request(s.url));
    off();
    await text(p.request(s.url));
    expect(seen).toEqual([s.url]);
    expect(s.sockets.opened).toBe(2);
  });

  it('reports a connect event per socket and a socket-closed event when the server closes it', async () => {
    const s = await server({ keepAliveTimeoutMs: 60_000 });
    const p = pool();
    const connects: string[] = [];
    const disconnects: PoolDisconnectEvent[] = [];
    p.onConnect((e) => connects.push(`${e.origin} ${e.address} ${e.totalConnections}`));
    const off = p.onDisconnect((e) => disconnects.push(e));
    await text(p.request(s.url));
    s.server.closeAllConnections();
    await until(() => disconnects.length === 1);
    expect(connects).toEqual([`${s.url} 127.0.0.1 1`]);
    expect(disconnects[0]).toMatchObject({ origin: s.url, reason: 'socket-closed' });
    expect(p.stats().totals.sockets).toBe(0);
    off();
    await text(p.request(s.url));
    expect(s.sockets.opened).toBe(2);
  });
});
