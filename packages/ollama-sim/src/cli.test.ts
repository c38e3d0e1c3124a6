import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { send } from './__fixtures__/client';

let child: ChildProcess | undefined;
afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
  child = undefined;
});

/** Runs the CLI from source (through tsx) and resolves with its URL once it listens. */
async function runCli(args: string[]): Promise<string> {
  child = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'cli.ts'), ...args],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  child.stderr!.on('data', (c: Buffer) => {
    err += c.toString();
  });
  return new Promise((resolve, reject) => {
    child!.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child!.once('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
  });
}

describe('ollama-sim CLI', () => {
  it('serves the given models with the faults of a JSON file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ollama-sim-'));
    const faults = join(dir, 'faults.json');
    writeFileSync(
      faults,
      JSON.stringify({
        seed: 1,
        rules: [{ route: '/api/chat', sequence: [{ kind: 'status', status: 503 }] }],
      }),
    );
    const url = await runCli([
      '--port',
      '0',
      '--models',
      'llama3.2,tiny:1b',
      '--faults',
      faults,
      '--quiet',
    ]);
    const tags = JSON.parse((await send(url, '/api/tags')).text);
    expect(tags.models.map((m: { name: string }) => m.name).sort()).toEqual([
      'llama3.2:latest',
      'tiny:1b',
    ]);
    const body = { model: 'tiny:1b', messages: [{ role: 'user', content: 'hi' }], stream: false };
    expect((await send(url, '/api/chat', { body })).status).toBe(503);
    expect((await send(url, '/api/chat', { body })).status).toBe(200);
  }, 20_000);

  it('exits with status 0 on SIGTERM', async () => {
    await runCli(['--port', '0', '--quiet']);
    child!.kill('SIGTERM');
    const [code, signal] = await once(child!, 'exit');
    expect({ code, signal }).toEqual({ code: 0, signal: null });
  }, 20_000);
});
