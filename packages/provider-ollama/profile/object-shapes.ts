/**
 * What building a call's objects costs in Node 20, by how they are written: a request copied with
 * one more key (`{ ...request, signal }`, as a stream once got its `abortAll()` signal) and then
 * read the way the request path reads it, against the key written first and set again after the
 * spread; an async iterable as a literal with a computed `[Symbol.asyncIterator]` key, against an
 * instance of a class. Run from packages/provider-ollama:
 *
 *   node --import tsx profile/object-shapes.ts
 */
import { Bench } from 'tinybench';

const request = {
  model: 'llama3.2',
  messages: [{ role: 'user', content: 'Why is the sky blue?' }],
};
const signal = new AbortController().signal;

/** Reads a request the way the body and option steps do: mostly fields it does not have. */
type Read = typeof request & Record<string, unknown>;
const read = (r: Read): unknown =>
  r.temperature ?? r.topP ?? r.topK ?? r.seed ?? r.maxTokens ?? r.stop ?? r.numCtx ?? r.model;

class Iterable {
  readonly #start: () => unknown;
  constructor(start: () => unknown) {
    this.#start = start;
  }
  [Symbol.asyncIterator](): unknown {
    return this.#start();
  }
}

let sink: unknown;
const bench = new Bench({ time: 500 });
bench
  .add('{ ...request, signal }, then 8 reads', () => {
    sink = read({ ...request, signal } as Read);
  })
  .add('{ signal, ...request } and set again, then 8 reads', () => {
    const copy = { signal, ...request };
    copy.signal = signal;
    sink = read(copy as Read);
  })
  .add('{ [Symbol.asyncIterator]: () => ... }', () => {
    sink = { [Symbol.asyncIterator]: () => sink };
  })
  .add('new Iterable(() => ...)', () => {
    sink = new Iterable(() => sink);
  });
await bench.run();
console.table(
  bench.tasks.map((task) => ({
    case: task.name,
    'median ns': Math.round((task.result as { latency: { p50: number } }).latency.p50 * 1e6),
  })),
);
void sink;
