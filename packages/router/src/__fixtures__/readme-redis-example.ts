/**
 * The README's example of `@x/router/redis` as the script of a child process, importing the
 * sources: what the process-lifetime tests run, with `router.close()` or without it (forgotten),
 * on `ioredis` or on another install of it (the `ioredis-5` alias).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runModuleScript } from '@x/internal/testing';
import { expect, inject, vi } from 'vitest';

const packageDir = join(import.meta.dirname, '..', '..');
const source = (file: string) => pathToFileURL(join(packageDir, 'src', file)).href;
const CLOSE = 'await router.close();';
const IMPORT = "import { Redis } from 'ioredis';";

/** Put before the example's `redis.disconnect()`: waits until the subscription is in place. */
export const AWAIT_SUBSCRIBED = `while (router.stats().state?.state !== 'available') {
  await new Promise((resolve) => setTimeout(resolve, 20));
}
`;

/**
 * `script` printing, as the process exits, whether it exited within 1 s of the example's end
 * (`redis.disconnect()`): an ioredis 5 connection dropped while it connects holds the process 2 s.
 */
export function reportingExitAtOnce(script: string): string {
  expect(script).toContain('redis.disconnect();');
  return script.replace(
    'redis.disconnect();',
    "redis.disconnect(); globalThis.ended = performance.now(); process.on('exit', () => console.log(performance.now() - globalThis.ended < 1_000));",
  );
}

/** The example, without `router.close()` unless `close`, its `Redis` from `ioredis`. */
export function readmeRedisExample(options: { close?: boolean; ioredis?: string } = {}): string {
  const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');
  const example = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)]
    .map((m) => m[1]!)
    .find((code) => code.includes('createRedisRouterState({ client: redis })'));
  expect(example).toBeDefined();
  expect(example).toContain(CLOSE);
  expect(example).toContain(IMPORT);
  return example!
    .split('\n')
    .filter((line) => options.close === true || !line.startsWith(CLOSE))
    .join('\n')
    .replace(IMPORT, `import { Redis } from '${options.ioredis ?? 'ioredis'}';`)
    .replace("from '@x/router/redis'", `from '${source('redis.ts')}'`)
    .replace("from '@x/router'", `from '${source('index.ts')}'`);
}

/**
 * Runs `script` in a child process with `REDIS_URL` set (unstub the environment after the test);
 * a process that does not exit is killed after 15 s (code -1).
 */
export function runWithRedis(script: string, url: string = inject('redisUrl')) {
  vi.stubEnv('REDIS_URL', url);
  return runModuleScript(source('redis.ts'), 'routerRedis', script, 15_000);
}
