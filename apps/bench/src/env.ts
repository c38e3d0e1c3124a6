import { existsSync, readFileSync } from 'node:fs';
import { cpus, freemem, loadavg, platform, release, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder of this app (apps/bench). */
export const appDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The repository root: the nearest folder above this app holding pnpm-workspace.yaml. */
export function findRepoRoot(from = appDir): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    const up = dirname(dir);
    if (up === dir) return resolve(appDir, '../..');
    dir = up;
  }
}

/** The libraries whose versions every result carries: ours and the peers they are compared with. */
export const trackedPackages = [
  '@x/breaker',
  '@x/rate-limit',
  '@x/cache',
  '@x/tokens',
  '@x/pool',
  '@x/ollama-sim',
  '@x/provider-ollama',
  '@x/provider-openai',
  '@x/router',
  'opossum',
  'cockatiel',
  'limiter',
  'rate-limiter-flexible',
  'bottleneck',
  'quick-lru',
  'lru-cache',
  'js-tiktoken',
  'gpt-tokenizer',
  'tiktoken',
  'undici',
  'axios',
  'ollama',
  'openai',
  'ioredis',
  'tinybench',
] as const;

/**
 * Version of an installed package, read from its package.json by walking up node_modules
 * (some packages do not export `./package.json`, so `require.resolve` cannot be used).
 */
export function packageVersion(name: string, from = appDir): string | undefined {
  let dir = from;
  for (;;) {
    const file = join(dir, 'node_modules', name, 'package.json');
    if (existsSync(file)) {
      try {
        const json = JSON.parse(readFileSync(file, 'utf8')) as { version?: string };
        return json.version;
      } catch {
        return undefined;
      }
    }
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

export interface Environment {
  node: string;
  v8: string;
  platform: string;
  osRelease: string;
  arch: string;
  cpuModel: string;
  cpuCount: number;
  totalMemoryMiB: number;
  freeMemoryMiB: number;
  /** 1, 5 and 15 minute load averages when the run started: a busy machine explains noise. */
  loadAverage: number[];
  redisServer?: string;
  packages: Record<string, string>;
}

export function collectEnvironment(): Environment {
  const cpu = cpus();
  const packages: Record<string, string> = {};
  for (const name of trackedPackages) {
    const v = packageVersion(name);
    if (v) packages[name] = v;
  }
  return {
    node: process.version,
    v8: process.versions.v8,
    platform: platform(),
    osRelease: release(),
    arch: process.arch,
    cpuModel: (cpu[0]?.model ?? 'unknown').trim(),
    cpuCount: cpu.length,
    totalMemoryMiB: Math.round(totalmem() / 1024 / 1024),
    freeMemoryMiB: Math.round(freemem() / 1024 / 1024),
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
    packages,
  };
}
