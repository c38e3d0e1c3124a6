import { randomUUID } from 'node:crypto';
import type { RoutableProvider } from '@x/router';
import { createRouter } from '@x/router';
import { createRedisRouterState } from '@x/router/redis';
import type { BenchContext } from '../context';
import { scaled } from '../profiles';
import { summarize } from '../stats';
import { formatMs, formatNs } from '../terminal/table';

/** A provider that answers at once with a fixed answer (or fails, when `broken`). */
function instant(broken: boolean): RoutableProvider {
  const answer = {
    content: 'ok',
    message: { role: 'assistant' as const, content: 'ok' },
    toolCalls: [],
    thinking: undefined,
    model: 'm',
    finishReason: 'stop',
    usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 },
    timings: {
      totalMs: undefined,
      loadMs: undefined,
      promptEvalMs: undefined,
      evalMs: undefined,
      queueWaitMs: undefined,
      firstTokenMs: undefined,
      latencyMs: undefined,
      tokensPerSecond: undefined,
    },
    cached: false,
    costUsd: 0,
    truncated: false,
    estimatedPromptTokens: undefined,
    attempts: 1,
  };
  return {
    complete: async () => {
      if (broken) throw new Error('down');
      return answer;
    },
  };
}

/**
 * ns per call of each `complete`, over an instant provider: rounds alternate between them so the
 * machine's drift touches both alike; the median round of each.
 */
async function overheadNs(completes: (() => Promise<unknown>)[], calls: number): Promise<number[]> {
  const rounds: number[][] = completes.map(() => []);
  for (let r = 0; r < 7; r++) {
    for (const [k, complete] of completes.entries()) {
      const t = performance.now();
      for (let i = 0; i < calls; i++) await complete();
      rounds[k]!.push(((performance.now() - t) * 1e6) / calls);
    }
  }
  return rounds.map((r) => summarize(r).p50);
}

/**
 * What sharing cooldowns through Redis costs: how long a cooldown decided by one instance takes
 * to reach another (two routers, two connections, one real redis-server), against a Redis round
 * trip; and what it adds to a call that needs no cooldown (nothing is awaited on the way of a call).
 */
export async function measurePropagation(
  ctx: BenchContext,
): Promise<{ metrics: Record<string, string>; notes: string[] }> {
  const server = await ctx.redis();
  if (server === undefined) {
    return {
      metrics: {},
      notes: ['Shared cooldowns not measured: redis-server is not installed.'],
    };
  }
  const { default: Redis } = await import('ioredis');
  const clients = [new Redis(server.url), new Redis(server.url)];
  const n = scaled(ctx.profile, 200, 20);
  const prefix = `bench:${randomUUID()}:`;
  const deployments = (broken: boolean) =>
    Array.from({ length: n }, (_, i) => ({
      id: `d${i}`,
      group: `g${i}`,
      provider: instant(broken),
      model: 'm',
    }));
  const options = (broken: boolean) => ({
    deployments: [
      ...deployments(broken),
      { id: 'ok', group: 'ok', provider: instant(false), model: 'm' },
    ],
    fallbacks: Object.fromEntries(Array.from({ length: n }, (_, i) => [`g${i}`, ['ok']])),
    cooldown: { failures: 1, durationMs: 60_000 },
  });
  const one = createRouter({
    ...options(true),
    state: createRedisRouterState({ client: clients[0]!, prefix }),
  });
  const two = createRouter({
    ...options(false),
    state: createRedisRouterState({ client: clients[1]!, prefix }),
  });
  const plain = createRouter(options(false));
  const local: number[] = [];
  const heard: number[] = [];
  one.onCooldown((e) => {
    local[Number(e.deployment.slice(1))] = performance.now();
  });
  two.onCooldown((e) => {
    heard[Number(e.deployment.slice(1))] = performance.now();
  });
  try {
    while ((two.stats().state as { syncs: number }).syncs === 0) {
      await new Promise((r) => setTimeout(r, 5));
    }
    const rtt: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      await clients[0]!.ping();
      rtt.push(performance.now() - t);
      await one.complete({ model: `g${i}`, messages: [{ role: 'user', content: 'hi' }] });
      const deadline = performance.now() + 2_000;
      while (heard[i] === undefined && performance.now() < deadline) {
        await new Promise((r) => setImmediate(r));
      }
    }
    const delays = local.map((t, i) => (heard[i] ?? Number.NaN) - t).filter(Number.isFinite);
    const delay = summarize(delays);
    const ping = summarize(rtt);
    const ask = { model: 'ok', messages: [{ role: 'user' as const, content: 'hi' }] };
    const calls = scaled(ctx.profile, 20_000, 500);
    const [alone, withRedis] = await overheadNs(
      [() => plain.complete(ask), () => two.complete(ask)],
      calls,
    );
    return {
      metrics: {
        'shared cooldown reaches another instance: p50 / p95 / max (Redis PING p50)': `${formatMs(delay.p50)} / ${formatMs(delay.p95)} / ${formatMs(delay.max)} (${formatMs(ping.p50)}), ${delays.length} of ${n} cooldowns`,
        'router.complete() over an instant provider, own view / with the Redis state': `${formatNs(alone!)} / ${formatNs(withRedis!)} per call`,
      },
      notes: [
        'Sharing costs nothing on the way of a call: each instance routes from its own view in memory; a cooldown is written and published in one script call, after the failing call has already moved on, and reaches the other instances one pub/sub delivery later.',
      ],
    };
  } finally {
    await Promise.all([one.close(), two.close(), plain.close()]);
    for (const c of clients) c.disconnect();
  }
}
