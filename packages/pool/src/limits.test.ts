import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SocketTracker, startServer, trackClientSockets } from './__fixtures__/servers';
import { createPool } from './pool';

describe('createPool limits', () => {
  it('never lets servers see more sockets than the caps, whatever the caps and the traffic', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 6 }),
        fc.array(fc.nat(2), { minLength: 1, maxLength: 60 }),
        fc.boolean(),
        async (perHost, extra, targets, closeEach) => {
          const maxConnections = perHost + extra;
          const tracker = new SocketTracker();
          const servers = await Promise.all(
            [0, 1, 2].map(() => startServer({ tracker, closeConnection: closeEach })),
          );
          const pool = createPool({ connectionsPerHost: perHost, maxConnections });
          let maxReported = 0;
          pool.onConnect((e) => {
            maxReported = Math.max(maxReported, e.totalConnections);
          });
          const clients = trackClientSockets();
          try {
            const bodies = await Promise.all(
              targets.map((t) => pool.request(servers[t]!.url).then((r) => r.body.text())),
            ).finally(() => clients.stop());
            expect(bodies.every((b) => b === 'ok')).toBe(true);
            expect(clients.maxOpen).toBeLessThanOrEqual(maxConnections);
            expect(tracker.maxOpen).toBeLessThanOrEqual(maxConnections);
            expect(maxReported).toBeLessThanOrEqual(maxConnections);
            for (const s of servers) expect(s.sockets.maxOpen).toBeLessThanOrEqual(perHost);
            const stats = pool.stats();
            expect(stats.requestsServed).toBe(targets.length);
            expect(stats.socketsCreated).toBe(tracker.opened);
            expect(stats.totals.queued).toBe(0);
          } finally {
            await pool.close();
            await Promise.all(servers.map((s) => s.close()));
          }
        },
      ),
      { numRuns: 15 },
    );
  });
});
