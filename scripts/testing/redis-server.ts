/**
 * Starts a real `redis-server` on a free loopback port for tests. Shared by the packages whose
 * tests need Redis (`@x/rate-limit`, `@x/cache`); it is test tooling and is never published.
 *
 * When `redis-server` is not installed this throws: a test that needs Redis must fail loudly,
 * never skip. `.ci/run` installs it with apt-get.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createConnection, createServer } from 'node:net';

export interface RedisServerHandle {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Stops the server (SIGTERM, waits for exit). Safe to call twice. */
  stop(): Promise<void>;
  /** Starts the server again on the same port (after `stop()`), for outage tests. */
  restart(): Promise<void>;
}

function findBinary(): string {
  const bin = process.env.REDIS_SERVER_BIN ?? 'redis-server';
  try {
    execFileSync(bin, ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error(
      `redis-server not found (tried \`${bin}\`). These tests need a real Redis: install it ` +
        '(`apt-get install redis-server`) or set REDIS_SERVER_BIN. `.ci/run` installs it.',
    );
  }
  return bin;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Options of {@link startRedisServer}. */
export interface RedisServerOptions {
  /** Started with `--requirepass`: every client must authenticate as `default` with it. */
  requirepass?: string | undefined;
}

function ping(port: number, auth: boolean): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.setTimeout(500);
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => {
      socket.destroy();
      const reply = data.toString();
      // With a password the server answers NOAUTH: up, and refusing unauthenticated clients.
      resolve(reply.startsWith('+PONG') || (auth && reply.startsWith('-NOAUTH')));
    });
    socket.on('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', () => resolve(false));
  });
}

async function waitUntilReady(port: number, child: ChildProcess, auth: boolean): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
    if (await ping(port, auth)) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`redis-server did not answer PING on port ${port} within 5 s`);
}

export async function startRedisServer(
  options: RedisServerOptions = {},
): Promise<RedisServerHandle> {
  const bin = findBinary();
  const port = await freePort();
  let child: ChildProcess | undefined;
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const auth = options.requirepass !== undefined;
  if (auth) args.push('--requirepass', options.requirepass!);

  const start = async () => {
    child = spawn(bin, args, { stdio: 'ignore' });
    await waitUntilReady(port, child, auth);
  };
  const stop = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGTERM');
    });
  };

  await start();
  return { url: `redis://127.0.0.1:${port}`, port, stop, restart: start };
}

/**
 * A vitest `globalSetup`: one server for the whole run, its URL given to tests through
 * `inject('redisUrl')`.
 */
export default async function setup(project: {
  provide: (key: 'redisUrl', value: string) => void;
}) {
  const server = await startRedisServer();
  project.provide('redisUrl', server.url);
  return () => server.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}
