import { spawn } from 'node:child_process';

export interface ChildServer {
  /** What the child printed after `marker`: its URL or port. */
  announced: string;
  /** SIGTERM, then waits for the child to exit. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Runs `code` (an ES module) in a child Node process and resolves once it writes
 * `<marker> <value>\n` to stdout. Client benchmarks put their servers there, so the server's work
 * does not share the client's event loop. The child is killed when this process exits, even when
 * a run ends on an error.
 */
export function startChildServer(
  code: string,
  options: { marker: string; env?: NodeJS.ProcessEnv; cwd?: string; what: string },
): Promise<ChildServer> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  child.once('exit', () => process.off('exit', kill));
  const pattern = new RegExp(`${options.marker} (\\S+)\\n`);
  return new Promise((resolve, reject) => {
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString();
      const m = pattern.exec(buffered);
      if (!m) return;
      child.stdout.off('data', onData);
      child.stdout.resume();
      resolve({
        announced: m[1]!,
        close: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`the ${options.what} process exited with ${code}`)),
    );
    child.once('error', reject);
  });
}
