import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const fixture = fileURLToPath(new URL('./__fixtures__/pending-probe.ts', import.meta.url));

function runFixture(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', fixture],
      { cwd: packageDir, timeout: 20_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? (error.code as number) : 0, stdout, stderr }),
    );
  });
}

// A child process on the real clock: what is tested is whether Node's event loop stays alive.
describe('createBreaker process lifetime (child process, real clock)', () => {
  it('keeps the process alive until a pending probe times out, then rejects with the probe-timeout error', async () => {
    const result = await runFixture();
    expect(result).toMatchObject({ code: 0, stdout: 'X_BREAKER_PROBE_TIMEOUT\n' });
  });
});
