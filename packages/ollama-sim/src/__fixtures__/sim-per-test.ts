// The simulator of one test: started by the test, closed after it (fake timers put back first,
// so the close's own timers run). Call `simPerTest()` once at the top level of a test file.
import { afterEach, vi } from 'vitest';
import type { OllamaSimOptions } from '../options';
import { type OllamaSim, startOllamaSim } from '../sim';

export function simPerTest(): (options?: OllamaSimOptions) => Promise<OllamaSim> {
  let sim: OllamaSim | undefined;
  afterEach(async () => {
    vi.useRealTimers();
    await sim?.close();
    sim = undefined;
  });
  return async (options = {}) => {
    sim = await startOllamaSim(options);
    return sim;
  };
}

/** Fake timers for every clock the simulator reads (its sleeps, `Date`, `performance`). */
export function fakeClock(): void {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
}
