import { Agent as HttpAgent } from 'node:http';
import { createPool } from '@x/pool';
import axios from 'axios';
import { Agent, Pool, fetch as undiciFetch } from 'undici';
import type { Suite } from '../context';
import type { MicroCase } from '../micro';
import { startJsonServerProcess } from '../servers/http';

export const poolSuite: Suite = {
  name: 'pool',
  title: '@x/pool: HTTP connection pool',
  packages: ['@x/pool'],
  async prepare(ctx) {
    const server = await startJsonServerProcess({ bodyBytes: 512 });
    const maxC = Math.max(...ctx.profile.concurrencyLevels);
    const ours = createPool({ connectionsPerHost: maxC, maxConnections: 100 });
    const undiciPool = new Pool(server.origin, { connections: maxC, pipelining: 1 });
    const fetchAgent = new Agent({ connections: maxC });
    const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: maxC });
    const ax = axios.create({
      httpAgent,
      responseType: 'text',
      transitional: { silentJSONParsing: true },
    });

    const groups = ctx.profile.concurrencyLevels.map((c) => {
      const cases: MicroCase[] = [
        {
          name: '@x/pool request()',
          library: '@x/pool',
          role: 'ours',
          async: true,
          concurrency: c,
          fn: async () => {
            const res = await ours.request(server.url);
            await res.body.text();
          },
        },
        {
          name: 'undici Pool.request',
          library: 'undici Pool',
          role: 'peer',
          async: true,
          concurrency: c,
          fn: async () => {
            const res = await undiciPool.request({ path: '/api/answer', method: 'GET' });
            await res.body.text();
          },
        },
        {
          name: 'undici fetch',
          library: 'undici fetch',
          role: 'peer',
          async: true,
          concurrency: c,
          fn: async () => {
            const res = await undiciFetch(server.url, { dispatcher: fetchAgent });
            await res.text();
          },
        },
        {
          name: 'global fetch',
          library: 'global fetch',
          role: 'peer',
          async: true,
          concurrency: c,
          fn: async () => {
            const res = await fetch(server.url);
            await res.text();
          },
        },
        {
          name: 'axios (keep-alive agent)',
          library: 'axios',
          role: 'peer',
          async: true,
          concurrency: c,
          fn: async () => {
            await ax.get(server.url);
          },
        },
      ];
      return {
        name: `GET 512 B, c=${c}`,
        description: `${c} concurrent caller${c > 1 ? 's' : ''} each issuing GET requests for a 512-byte JSON body from one loopback server, body read in full`,
        targets: [{ vs: 'undici Pool', min: 0.95 }],
        cases,
      };
    });

    return {
      groups,
      notes: [
        'All clients talk to the same loopback node:http server (in a child process of its own) with keep-alive; sockets are capped at the highest concurrency level for every client but global fetch, whose default dispatcher has no cap (a closed loop of c callers never needs more than c sockets). @x/pool also enforces its total cap (100) and goes through its DNS cache.',
      ],
      async close() {
        await ours.close();
        await undiciPool.close();
        await fetchAgent.close();
        httpAgent.destroy();
        await server.close();
      },
    };
  },
};
