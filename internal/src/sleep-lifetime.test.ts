import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runModuleScript } from '../testing/child-script';

const abortModule = fileURLToPath(new URL('./abort.ts', import.meta.url));

describe('sleep', () => {
  it('keeps a process alive until the wait ends when it is the only pending work (real clock, child process)', async () => {
    // Between two attempts no socket holds the process open; an unref'd backoff timer would let
    // Node exit (code 13, unsettled top-level await) before the retry ran.
    const result = await runModuleScript(
      abortModule,
      'abort',
      `
      await abort.sleep(400, undefined);
      console.log('backoff over');
    `,
      30_000,
    );
    expect(result).toEqual({ code: 0, stdout: 'backoff over\n', stderr: '' });
    // The child's own bound, not vitest's 5 s: tsx starting a process on a loaded machine.
  }, 30_000);
});
