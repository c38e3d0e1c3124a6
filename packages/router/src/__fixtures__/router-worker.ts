/**
 * One router instance of the three-process test: a router over three simulators (deployments
 * `a`, `b`, `c`, tried in that order) sharing its cooldowns through Redis. The parent drives it
 * over IPC (`{ cmd: 'call', n }`, `{ cmd: 'close' }`) and receives every router event it sees,
 * with the wall-clock time it saw it.
 */
import { createOllamaProvider } from '@x/provider-ollama';
import Redis from 'ioredis';
import { createRedisRouterState } from '../redis';
import { createRouter } from '../router';

const [urlA, urlB, urlC] = (process.env.SIM_URLS ?? '').split(',');
const redis = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: 1, retryStrategy: () => 50 });
redis.on('error', () => {}); // reconnection errors while the parent restarts Redis

const options = { retry: false, cache: false, rateLimit: false, breaker: false } as const;
const router = createRouter({
  deployments: [
    { id: 'a', group: 'chat', provider: createOllamaProvider({ baseUrl: urlA!, ...options }), model: 'llama3.2' },
    { id: 'b', group: 'chat', provider: createOllamaProvider({ baseUrl: urlB!, ...options }), model: 'llama3.2', priority: 1 },
    { id: 'c', group: 'chat', provider: createOllamaProvider({ baseUrl: urlC!, ...options }), model: 'llama3.2', priority: 2 },
  ],
  cooldown: { failures: 2, durationMs: 60_000 },
  state: createRedisRouterState({ client: redis, prefix: process.env.PREFIX! }),
  closeProviders: true,
});

const report = (event: string) => (payload: unknown) =>
  process.send!({ event, payload, at: Date.now() });
router.onCooldown(report('cooldown'));
router.onRecovered(report('recovered'));
router.onStateUnavailable(report('state-unavailable'));
router.onStateRecovered(report('state-recovered'));

process.on('message', async (message: { cmd: string; n?: number }) => {
  if (message.cmd === 'call') {
    const served: Record<string, number> = {};
    let failed = 0;
    for (let i = 0; i < (message.n ?? 1); i++) {
      try {
        const answer = await router.complete({ model: 'chat', messages: [{ role: 'user', content: `call ${i}` }] });
        served[answer.route.deployment] = (served[answer.route.deployment] ?? 0) + 1;
      } catch {
        failed++;
      }
    }
    process.send!({ reply: 'call', served, failed, stats: router.stats() });
  } else if (message.cmd === 'close') {
    await router.close();
    redis.disconnect();
    process.send!({ reply: 'closed' }, () => process.exit(0));
  }
});

// Ready once the subscription has read the cooldowns already running.
const ready = setInterval(() => {
  if ((router.stats().state as { syncs: number }).syncs > 0) {
    clearInterval(ready);
    process.send!({ reply: 'ready' });
  }
}, 10);
