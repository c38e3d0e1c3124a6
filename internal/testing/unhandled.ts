import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Records the `unhandledRejection`s of the process while `run()` goes on, then for a few more
 * turns of the event loop (Node reports one once the microtasks that could have handled it have
 * run). For code whose promise is dropped on purpose (an `async` listener or log method): a
 * rejection nobody handles crashes a process under Node's default `--unhandled-rejections=throw`.
 */
export async function unhandledRejectionsOf(run: () => unknown): Promise<unknown[]> {
  const seen: unknown[] = [];
  const record = (reason: unknown) => seen.push(reason);
  process.on('unhandledRejection', record);
  try {
    await run();
    await sleep(20);
  } finally {
    process.off('unhandledRejection', record);
  }
  return seen;
}
