import { spawn } from 'node:child_process';

/**
 * @x/ollama-sim in a child process, as Ollama would be (its CPU is not the client's), answering at
 * once with 16 tokens. `close()` ends it.
 */
export async function startSimChild(): Promise<{ url: string; close: () => void }> {
  const child = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const { startOllamaSim } = await import('@x/ollama-sim');
       const sim = await startOllamaSim({ numParallel: 256, maxQueue: 4096, maxLogEntries: 0, responseTokens: { min: 16, max: 16 } });
       process.stdout.write(sim.url + '\\n');
       process.stdin.on('end', () => sim.close().then(() => process.exit(0)));
       process.stdin.resume();`,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'], cwd: new URL('..', import.meta.url) },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      if (buffer.includes('\n')) resolve(buffer.split('\n')[0]!.trim());
    });
    child.once('exit', (code) => reject(new Error(`simulator exited (${code})`)));
  });
  return { url, close: () => child.stdin!.end() };
}
