import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
const COMMAND = 'npx -p @x/ollama-sim ollama-sim';

/** The README's fenced blocks of one language. */
function blocks(lang: string): string[] {
  return [...readme.matchAll(new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``, 'g'))].map(
    (m) => m[1]!,
  );
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('README', () => {
  it('names the scoped package wherever it runs the command through npx', () => {
    expect(readme).not.toMatch(/npx ollama-sim/);
    expect(readme).toContain(COMMAND);
  });

  // Real clock and a child process: the example starts the CLI (from source) in the background.
  it('answers both curl calls of the shell example pasted as is, on the real clock', async () => {
    const example = blocks('sh').find((b) => b.includes(COMMAND));
    expect(example).toBeDefined();
    const port = await freePort();
    // The published command becomes the CLI run from source, and 11434 a free port.
    const script = example!
      .replace(COMMAND, `${JSON.stringify(process.execPath)} --import tsx src/cli.ts`)
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
