import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const abortModule = fileURLToPath(new URL('./abort.ts', import.meta.url));

describe('sleep', () => {
  it('keeps a process alive until the wait ends when it is the only pending work (real clock, child process)', async () => {
    // Between two attempts no socket holds the process open; an unref'd backoff timer would let
    // Node exit (code 13, unsettled top-level await) before the retry ran.
    const source = `
      import { sleep } from ${JSON.stringify(abortModule)};
      await sleep(400, undefined);
      console.log('backoff over');
    `;
    const result = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '--eval', source],
        { timeout: 30_000 },
        (error, stdout) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout }),
      );
    });
    expect(result).toEqual({ code: 0, stdout: 'backoff over\n' });
  });
});
