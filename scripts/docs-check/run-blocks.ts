/**
 * Runs the blocks whose fence says `ts runnable` against a real @x/ollama-sim (127.0.0.1, port 0;
 * its URL in OLLAMA_HOST) and, when a block uses Redis, a real redis-server (REDIS_URL). A block
 * passes when it exits 0 by itself: one that leaves a socket or a timer open fails on the timeout.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type RedisServerHandle, startRedisServer } from '../testing/redis-server.ts';
import type { ExtractedBlock } from './blocks.ts';
import { blocksDir } from './blocks.ts';
import { docsDir, rel, root } from './markdown.ts';

const TIMEOUT_MS = 60_000;
const ts = createRequire(join(root, 'package.json'))('typescript') as typeof import('typescript');

/**
 * The block as plain JavaScript beside its .ts (types stripped, `await using` lowered): node starts
 * it in a fraction of the time tsx takes, which adds up over every runnable block.
 */
function transpile(block: ExtractedBlock): string {
  const { outputText } = ts.transpileModule(block.code, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    fileName: block.path,
  });
  const path = block.path.replace(/\.ts$/, '.mjs');
  writeFileSync(path, outputText);
  return path;
}

interface Sim {
  readonly url: string;
  close(): Promise<void>;
}

async function startSim(): Promise<Sim> {
  // The simulator as the guide's package depends on it (the built dist of the workspace package).
  const entry = createRequire(join(docsDir, 'package.json')).resolve('@x/ollama-sim');
  const { startOllamaSim } = (await import(pathToFileURL(entry).href)) as {
    startOllamaSim(options: { host: string; port: number }): Promise<Sim>;
  };
  return startOllamaSim({ host: '127.0.0.1', port: 0 });
}

function runOne(block: ExtractedBlock, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [transpile(block)],
      { cwd: blocksDir, env, timeout: TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (!error) return resolve(undefined);
        const why = error.killed
          ? `did not exit within ${TIMEOUT_MS / 1000} s (a socket, a timer or a client left open?)`
          : `exited with ${error.code}`;
        const output = `${stdout}${stderr}`.trim().split('\n').slice(-15).join('\n    ');
        resolve(`${rel(block.file)}:${block.line}: the runnable block ${why}\n    ${output}`);
      },
    );
  });
}

/** Problems, one per failing block. */
export async function runBlocks(blocks: readonly ExtractedBlock[]): Promise<string[]> {
  const runnable = blocks.filter((b) => b.runnable);
  if (runnable.length === 0) return [];
  const needsRedis = runnable.some((b) => /ioredis|REDIS_URL/.test(b.code));
  const sim = await startSim();
  let redis: RedisServerHandle | undefined;
  try {
    if (needsRedis) redis = await startRedisServer();
    const env = {
      ...process.env,
      OLLAMA_HOST: sim.url,
      ...(redis ? { REDIS_URL: redis.url } : {}),
    };
    const problems: string[] = [];
    // Two at a time: the machine that runs `pnpm check` may have two cores.
    const queue = [...runnable];
    const worker = async () => {
      for (let block = queue.shift(); block; block = queue.shift()) {
        const problem = await runOne(block, env);
        if (problem) problems.push(problem);
      }
    };
    await Promise.all([worker(), worker()]);
    return problems;
  } finally {
    await sim.close();
    await redis?.stop();
  }
}
