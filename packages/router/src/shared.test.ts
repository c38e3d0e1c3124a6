import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { type OllamaSim, startOllamaSim } from '@x/ollama-sim';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type RedisServerHandle, startRedisServer } from '../../../scripts/testing/redis-server';

interface Event {
  event: string;
  payload: Record<string, unknown>;
  at: number;
}

interface Worker {
  child: ChildProcess;
  events: Event[];
  /** Makes `n` calls; resolves with which deployment served each. */
  call(n: number): Promise<{ served: Record<string, number>; failed: number; stats: unknown }>;
}

const worker = fileURLToPath(new URL('./__fixtures__/router-worker.ts', import.meta.url));

function start(env: NodeJS.ProcessEnv): Promise<Worker> {
  const child = fork(worker, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const events: Event[] = [];
  const replies: ((message: never) => void)[] = [];
  child.on('message', (message: { event?: string; reply?: string }) => {
    if (message.event !== undefined) events.push(message as Event);
    else replies.shift()?.(message as never);
  });
  const next = <T>() => new Promise<T>((resolve) => replies.push(resolve as never));
  return next<{ reply: string }>().then(() => ({
    child,
    events,
    call: (n) => {
      const reply = next<{ served: Record<string, number>; failed: number; stats: unknown }>();
      child.send({ cmd: 'call', n });
      return reply;
    },
  }));
}

/**
 * Three router processes (`node --import tsx`) share cooldowns through a real `redis-server`,
 * over three simulators in this process. Real clock: child processes, Redis and sockets.
 */
describe('three processes sharing cooldowns through Redis (real Redis, child processes, real clock)', () => {
  let redis: RedisServerHandle;
  let sims: OllamaSim[];
  let workers: Worker[];
  const prefix = `test:${randomUUID()}:`;
  const chats = (sim: OllamaSim) => sim.stats().byRoute['/api/chat'] ?? 0;

  beforeAll(async () => {
    redis = await startRedisServer();
    sims = await Promise.all([startOllamaSim(), startOllamaSim(), startOllamaSim()]);
    const env = {
      REDIS_URL: redis.url,
      SIM_URLS: sims.map((s) => s.url).join(','),
      PREFIX: prefix,
    };
    workers = await Promise.all([start(env), start(env), start(env)]);
  }, 30_000);

  afterAll(async () => {
    for (const w of workers ?? []) if (w.child.exitCode === null) w.child.kill();
    await Promise.all((sims ?? []).map((s) => s.close()));
    await redis?.stop();
  });

  it('takes a deployment out everywhere when one process sees it fail, also after Redis restarts', async () => {
    const [one, two, three] = workers as [Worker, Worker, Worker];
    const [simA, simB, simC] = sims as [OllamaSim, OllamaSim, OllamaSim];
    const shared = (w: Worker, deployment: string) =>
      w.events.some(
        (e) =>
          e.event === 'cooldown' &&
          e.payload.deployment === deployment &&
          e.payload.source === 'shared',
      );

    // Process one sees `a` fail twice and takes it out; two and three hear of it.
    simA.setFaults([{ route: '/api/chat', fault: { kind: 'status', status: 503 } }]);
    const first = await one.call(2);
    expect(first.served).toEqual({ b: 2 });
    expect(one.events.filter((e) => e.event === 'cooldown')).toMatchObject([
      { payload: { deployment: 'a', source: 'local', reason: 'failures' } },
    ]);
    await vi.waitFor(() => expect(shared(two, 'a') && shared(three, 'a')).toBe(true), {
      timeout: 5_000,
    });
    const before = chats(simA);
    const [fromTwo, fromThree] = await Promise.all([two.call(5), three.call(5)]);
    expect(fromTwo.served).toEqual({ b: 5 });
    expect(fromThree.served).toEqual({ b: 5 });
    expect(chats(simA)).toBe(before);

    // Redis goes down: every process says so and keeps routing by its own view.
    await redis.stop();
    await vi.waitFor(
      () =>
        expect(workers.every((w) => w.events.some((e) => e.event === 'state-unavailable'))).toBe(
          true,
        ),
      { timeout: 5_000 },
    );
    const during = await Promise.all(workers.map((w) => w.call(3)));
    for (const result of during) expect(result).toMatchObject({ served: { b: 3 }, failed: 0 });
    expect(chats(simA)).toBe(before);

    // Redis returns, empty: every process says so and writes back the cooldown it holds.
    await redis.restart();
    await vi.waitFor(
      () =>
        expect(workers.every((w) => w.events.some((e) => e.event === 'state-recovered'))).toBe(
          true,
        ),
      { timeout: 10_000 },
    );
    const direct = new Redis(redis.url);
    try {
      await vi.waitFor(
        async () => expect(await direct.pttl(`${prefix}cooldown:a`)).toBeGreaterThan(0),
        { timeout: 5_000 },
      );
    } finally {
      direct.disconnect();
    }

    // A new cooldown after the restart reaches the others again.
    simB.setFaults([{ route: '/api/chat', fault: { kind: 'status', status: 503 } }]);
    const second = await two.call(2);
    expect(second.served).toEqual({ c: 2 });
    await vi.waitFor(() => expect(shared(one, 'b') && shared(three, 'b')).toBe(true), {
      timeout: 5_000,
    });
    const beforeB = chats(simB);
    const [fromOne, fromThreeAgain] = await Promise.all([one.call(4), three.call(4)]);
    expect(fromOne.served).toEqual({ c: 4 });
    expect(fromThreeAgain.served).toEqual({ c: 4 });
    expect(chats(simB)).toBe(beforeB);
    expect(chats(simC)).toBeGreaterThanOrEqual(10);

    for (const w of workers) {
      const closed = new Promise((resolve) => w.child.once('exit', resolve));
      w.child.send({ cmd: 'close' });
      await closed;
    }
  }, 60_000);
});
