/**
 * What a signal per call costs in Node 20 (the reason `@x/provider-core` uses light signals for a
 * call's total deadline and an attempt's deadlines; see its `light-signal.ts`). Run from
 * packages/provider-ollama:
 *
 *   node --import tsx profile/signals.ts
 */
import { Bench } from 'tinybench';

const listener = (): void => {};
const shared = new AbortController().signal;

/** The shape of `@x/provider-core`'s light signal: what the pieces read of a signal. */
class Light {
  aborted = false;
  reason: unknown = undefined;
  #listeners: Array<() => void> | undefined;
  addEventListener(_type: string, fn: () => void): void {
    (this.#listeners ??= []).push(fn);
  }
  removeEventListener(_type: string, fn: () => void): void {
    const list = this.#listeners;
    const index = list === undefined ? -1 : list.indexOf(fn);
    if (index !== -1) list!.splice(index, 1);
  }
}

const bench = new Bench({ time: 500 });
bench
  .add('new AbortController().signal', () => new AbortController().signal)
  .add('a listener added to and removed from a live AbortSignal', () => {
    shared.addEventListener('abort', listener, { once: true });
    shared.removeEventListener('abort', listener);
  })
  .add('AbortSignal.any() of two signals', () =>
    AbortSignal.any([shared, new AbortController().signal]),
  )
  .add('a light signal, one listener added and removed', () => {
    const signal = new Light();
    signal.addEventListener('abort', listener);
    signal.removeEventListener('abort', listener);
  });
await bench.run();
console.table(
  bench.tasks.map((task) => ({
    case: task.name,
    'median ns': Math.round((task.result as { latency: { p50: number } }).latency.p50 * 1e6),
  })),
);
