import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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

/** Runs the CLI to its exit and returns its status and output. */
async function runToExit(
  args: string[],
): Promise<{ code: number | null; out: string; err: string }> {
  const c = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'cli.ts'), ...args],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child = c;
  let out = '';
  let err = '';
  c.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  c.stderr!.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const [code] = await once(c, 'exit');
  return { code, out, err };
}

describe('ollama-sim CLI', () => {
  it('prints its usage and exits 0 with --help', async () => {
    const { code, out } = await runToExit(['--help']);
    expect(code).toBe(0);
    expect(out).toMatch(/^Usage: ollama-sim \[options\]/);
    expect(out).toContain('--faults <file.json>');
  }, 20_000);

  it('prints its version and the Ollama version it reports with --version, and exits 0', async () => {
    const { version } = JSON.parse(
      readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
    );
    for (const flag of ['--version', '-v']) {
      const { code, out } = await runToExit([flag]);
      expect(code).toBe(0);
      expect(out).toBe(`ollama-sim ${version} (answers as Ollama 0.32.15)\n`);
    }
  }, 20_000);

  it('exits 2 naming the flag, with a pointer to --help, for a bad command line', async () => {
    const cases: [string[], string][] = [
      [['--bogus'], "Unknown option '--bogus'"],
      [['--prot', '1'], "Unknown option '--prot'; did you mean '--port'?"],
      [
        ['--tokens-per-sec=3'],
        "Unknown option '--tokens-per-sec'; did you mean '--tokens-per-second'?",
      ],
      [['--port', 'abc'], '--port expects a number, got "abc"'],
      [['--port='], '--port expects a number, got ""'],
      [['--num-parallel', '0'], 'Expected `--num-parallel` to be an integer between 1 and 1024'],
      [['--port', '70000'], 'Expected `--port` to be an integer between 0 and 65535'],
      [
        ['--transfer-bytes-per-second=-1'],
        'Expected `--transfer-bytes-per-second` to be a finite number >= 0, or Infinity',
      ],
      [['--faults', join(tmpdir(), 'no-such-ollama-sim-faults.json')], '--faults '],
    ];
    for (const [args, message] of cases) {
      const { code, err } = await runToExit(args);
      expect({ args, code }).toEqual({ args, code: 2 });
      expect(err).toContain(`ollama-sim: ${message}`);
      expect(err).toContain("Run 'ollama-sim --help' for the options.");
    }
  }, 60_000);

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

  it('exits 2 naming the place in the --faults file, in either of its forms, for a bad rule', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ollama-sim-'));
    const cases: [unknown, string][] = [
      [
        [{ route: '/api/caht', fault: { kind: 'destroy' } }],
        "Expected `--faults [0].route` to be '*' or a path the simulator serves (did you mean '/api/chat'?), got `\"/api/caht\"` (string)",
      ],
      [
        { rules: [{ route: '/api/chat', sequence: [{ kind: 'destory' }] }] },
        "Expected `--faults rules[0].sequence[0].kind` to be one of 'latency', 'slow-headers', 'status', 'rate-limit', 'error-line', 'runner-crash', 'destroy', 'end-without-done', 'stall', 'split', 'refuse', 'replay' (did you mean 'destroy'?), got `\"destory\"` (string)",
      ],
      [{ rules: [], sead: 1 }, 'Unknown option `--faults sead`: did you mean `--faults seed`?'],
    ];
    for (const [i, [plan, message]] of cases.entries()) {
      const file = join(dir, `faults-${i}.json`);
      writeFileSync(file, JSON.stringify(plan));
      const { code, err } = await runToExit(['--port', '0', '--faults', file]);
      expect({ plan, code }).toEqual({ plan, code: 2 });
      expect(err).toContain(`ollama-sim: ${message}\n`);
    }
  }, 30_000);

  it('enforces --quota on /v1 per API key and names the flag for a bad quota', async () => {
    const url = await runCli(['--port', '0', '--quota', 'requests=1,windowMs=60000', '--quiet']);
    const body = { model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }] };
    const headers = { authorization: 'Bearer sk-cli' };
    const first = await send(url, '/v1/chat/completions', { body, headers });
    expect([first.status, first.headers['x-ratelimit-remaining-requests']]).toEqual([200, '0']);
    const second = await send(url, '/v1/chat/completions', { body, headers });
    expect([second.status, second.headers['retry-after']]).toEqual([429, '60']);
    // Stopped here: runToExit below takes the place of `child`.
    child!.kill('SIGTERM');
    await once(child!, 'exit');
    const cases: [string, string][] = [
      [
        'requests',
        '--quota expects key=number pairs such as requests=60,tokens=40000,windowMs=60000',
      ],
      ['requests=0', 'Expected `--quota requests` to be an integer between 1 and 2147483648'],
      ['windowMs=5', 'Expected `--quota` to be an object with `requests` or `tokens`'],
    ];
    for (const [spec, message] of cases) {
      const { code, err } = await runToExit(['--quota', spec]);
      expect({ spec, code }).toEqual({ spec, code: 2 });
      expect(err).toContain(`ollama-sim: ${message}`);
    }
  }, 30_000);

  it('answers as Ollama with cloud off under --no-cloud', async () => {
    const url = await runCli(['--port', '0', '--no-cloud', '--quiet']);
    expect((await send(url, '/api/status')).text).toBe(
      '{"cloud":{"disabled":true,"source":"env"}}',
    );
  }, 20_000);

  it('keeps serving when the reader of its log goes away', async () => {
    const url = await runCli(['--port', '0']);
    // As `ollama-sim | head -1` does: the pipe closes after the first line.
    child!.stdout!.destroy();
    for (let i = 0; i < 3; i++) {
      expect((await send(url, '/api/version')).status).toBe(200);
    }
    expect(child!.exitCode).toBe(null);
  }, 20_000);

  it('exits with status 0 on SIGTERM', async () => {
    await runCli(['--port', '0', '--quiet']);
    child!.kill('SIGTERM');
    const [code, signal] = await once(child!, 'exit');
    expect({ code, signal }).toEqual({ code: 0, signal: null });
  }, 20_000);
});
