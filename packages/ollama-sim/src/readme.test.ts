import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort } from '@x/internal/testing';
import { describe, expect, it } from 'vitest';

const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
const COMMAND = 'npx -p @x/ollama-sim ollama-sim';

/** The README's fenced blocks of one language (`ts runnable` is a `ts` block). */
function blocks(lang: string): string[] {
  return [
    ...readme.matchAll(new RegExp(`\`\`\`${lang}(?: [^\\n]*)?\\n([\\s\\S]*?)\`\`\``, 'g')),
  ].map((m) => m[1]!);
}

/** Whether something accepts a TCP connection on 127.0.0.1:`port`. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('README', () => {
  it('asks to install every package its examples import, besides this one', () => {
    const imported = new Set(
      blocks('ts').flatMap((code) =>
        [...code.matchAll(/from '([^']+)'/g)]
          .map((m) => m[1]!)
          .filter((name) => !name.startsWith('node:') && name !== '@x/ollama-sim'),
      ),
    );
    expect([...imported].sort()).toEqual(['ollama', 'openai']);
    for (const name of imported) expect(readme).toContain(`npm install ${name}`);
  });

  it('names the scoped package wherever it runs the command through npx', () => {
    expect(readme).not.toMatch(/npx ollama-sim/);
    expect(readme).toContain(COMMAND);
  });

  // Real clock and a child process: the example starts the CLI (from source) in the background,
  // as the installed bin does (a shebang script: `$!` is the simulator's own process).
  it('answers both curl calls of the shell example pasted as is, then stops on its kill', async () => {
    const BIN = 'node_modules/.bin/ollama-sim';
    const example = blocks('sh').find((b) => b.includes(BIN));
    expect(example).toBeDefined();
    const port = await freePort();
    // The install line needs the published package; the bin becomes the CLI run from source, and
    // 11434 a free port.
    const script = example!
      .split('\n')
      .filter((line) => !line.startsWith('npm install'))
      .join('\n')
      .replace(BIN, `${JSON.stringify(process.execPath)} --import tsx src/cli.ts`)
      .replaceAll('11434', String(port));
    const child = spawn('bash', ['-c', script], {
      cwd: join(import.meta.dirname, '..'),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    try {
      const [code] = await once(child, 'exit');
      expect(code).toBe(0);
      expect(out).toContain('{"models":[');
      const lastLine = out.trim().split('\n').at(-1)!;
      expect(JSON.parse(lastLine)).toMatchObject({ model: 'llama3.2', done: true });
      // `kill $SIM` stopped the simulator: within 5 s nothing listens on the port any more.
      let listening = true;
      for (let i = 0; i < 50 && listening; i++) {
        listening = await accepts(port);
        if (listening) await new Promise((r) => setTimeout(r, 100));
      }
      expect(listening).toBe(false);
    } finally {
      // The example stops the simulator itself; this only guards against a failed run.
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  }, 30_000);
});
