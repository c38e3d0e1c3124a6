import { execFile } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const appDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

describe('pnpm demo', () => {
  it('walks through every step against the embedded simulator when OLLAMA_HOST is unset', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
    delete env.OLLAMA_HOST;
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', join(appDir, 'src/main.ts')],
      { cwd: appDir, env, maxBuffer: 16 * 1024 * 1024 },
    );
    expect(stderr).toBe('');
    expect(stdout).toContain('running against the embedded @x/ollama-sim');
    expect(stdout).not.toContain('this step failed');
    expect(stdout).toMatch(/done: \d+ steps in/);

    // streaming: chunks, then tokens per second from the server's counters
    expect(stdout).toMatch(/\d+ chunks · first token after .+ · [\d.]+ tokens\/s/);
    // tokens and cost for several providers, exact for OpenAI
    for (const p of ['openai', 'anthropic', 'gemini', 'mistral', 'ollama'])
      expect(stdout).toContain(p);
    expect(stdout).toMatch(/gpt-4o\s+openai\s+\d+\s+exact/);
    expect(stdout).toContain('$0 (local)');
    // connection reuse: one socket for every pooled request
    expect(stdout).toMatch(/pool stats: 1 socket\(s\) created for \d+ requests/);
    // health and Prometheus
    expect(stdout).toMatch(/status healthy · reachable true/);
    expect(stdout).toContain('x_provider_ollama_requests_total');
  }, 60_000);
});
