// A `redis-server` of the test's own that it can stall: SIGSTOP keeps the process and its sockets
// (clients see no close, their commands just get no reply), SIGCONT lets it run what it was sent.
// The shared helper (`scripts/testing/redis-server.ts`) hides its process, so this one spawns.
import { spawn } from 'node:child_process';
import { freePort } from '@x/internal/testing';
import Redis from 'ioredis';

export interface PausableRedis {
  readonly url: string;
  pause(): void;
  resume(): void;
  /** Resumes it if stalled, then stops it and waits for its exit. Safe to call twice. */
  stop(): Promise<void>;
}

export async function startPausableRedis(): Promise<PausableRedis> {
  const port = await freePort();
  const bin = process.env.REDIS_SERVER_BIN ?? 'redis-server';
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const child = spawn(bin, args, { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGCONT');
    child.kill('SIGTERM');
    await exited;
  };
  // Up once it answers PING: about 4 s of reconnections at most, then the test fails.
  const probe = new Redis(url, { maxRetriesPerRequest: 160, retryStrategy: () => 25 });
  probe.on('error', () => {});
  try {
    await probe.ping();
  } catch (error) {
    await stop();
    throw error;
  } finally {
    probe.disconnect();
  }
  return {
    url,
    pause: () => child.kill('SIGSTOP'),
    resume: () => child.kill('SIGCONT'),
    stop,
  };
}
