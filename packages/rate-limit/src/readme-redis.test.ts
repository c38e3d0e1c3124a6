// The README's two Redis examples, run as a user runs them: each admits its call whether or not
// Redis is there (the outage policy decides without it), so each must read REDIS_URL and print
// whether Redis decided, or a run with no Redis would look like success. Real `redis-server`,
// child processes, real clock.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { freePort, runModuleScript } from '@x/internal/testing';
import ts from 'typescript';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';

const packageDir = join(import.meta.dirname, '..');
const source = (file: string) => pathToFileURL(join(packageDir, 'src', file)).href;
const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');

/** The README's ts blocks that make an ioredis client, importing the sources, `await using` lowered. */
function redisExamples(): string[] {
  return [...readme.matchAll(/```ts\n([\s\S]*?)```/g)]
    .map((m) => m[1]!)
    .filter((code) => code.includes('new Redis('))
    .map((code) => {
      const imports = code
        .replace("from '@x/rate-limit/redis'", `from '${source('redis.ts')}'`)
        .replace("from '@x/rate-limit'", `from '${source('index.ts')}'`);
      // Node 20 cannot parse `await using`: lowered as the README tells its readers to.
      return ts.transpileModule(imports, {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      }).outputText;
    });
}

function run(example: string, url: string) {
  vi.stubEnv('REDIS_URL', url);
  return runModuleScript(source('index.ts'), 'rateLimit', example, 15_000);
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('README Redis examples (real Redis, child process, real clock)', () => {
  it('are the two of the store and of the Redis token bucket', () => {
    const examples = redisExamples();
    expect(examples).toHaveLength(2);
    expect(examples[0]).toContain('createRedisStore(');
    expect(examples[1]).toContain('createRedisTokenBucket(');
  });

  it('print that Redis decided when REDIS_URL names a running Redis', async () => {
    const [store, bucket] = redisExamples();
    const url = inject('redisUrl');
    expect(await run(store!, url)).toEqual({
      code: 0,
      stdout: "{ state: 'available', decisions: 1, fallbackDecisions: 0 }\n",
      stderr: '',
    });
    expect(await run(bucket!, url)).toEqual({ code: 0, stdout: 'available\n', stderr: '' });
  });

  it('print that this process decided alone when nothing answers at REDIS_URL', async () => {
    const [store, bucket] = redisExamples();
    const url = `redis://127.0.0.1:${await freePort()}`;
    expect(await run(store!, url)).toEqual({
      code: 0,
      stdout: "{ state: 'unavailable', decisions: 0, fallbackDecisions: 1 }\n",
      stderr: '',
    });
    expect(await run(bucket!, url)).toEqual({ code: 0, stdout: 'unavailable\n', stderr: '' });
  });
});
