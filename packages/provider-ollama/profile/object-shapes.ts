/**
 * What building a call's objects costs in Node 20, by how they are written: a request copied with
 * one more key (`{ ...request, signal }`, as a stream once got its `abortAll()` signal) and then
 * read the way the request path reads it, against the key written first and set again after the
 * spread; an async iterable as a literal with a computed `[Symbol.asyncIterator]` key, against an
 * instance of a class; a call entered in a long-lived `Set` and deleted again (as in-flight
 * tracking did), against a link of a list. Run from packages/provider-ollama:
 *
 *   node --import tsx profile/object-shapes.ts
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
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

/** A provider's own set of calls in flight: measured before and after a full collection. */
const inFlight = new Set<object>();
interface Link {
  prev: Link | undefined;
  next: Link | undefined;
}
const head: { first: Link | undefined } = { first: undefined };

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

/** Median ns per call of `step` over rounds of plain loops (timed outside tinybench's wrapper). */
function perCall(step: () => void): number {
  const rounds: number[] = [];
  for (let round = 0; round < 7; round++) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < 200_000; i++) step();
    rounds.push(Number(process.hrtime.bigint() - started) / 200_000);
  }
  return Math.round(rounds.sort((a, b) => a - b)[3]!);
}
const addThenDelete = () => {
  const call = {};
  inFlight.add(call);
  inFlight.delete(call);
  sink = call;
};
const linkThenUnlink = () => {
  const link: Link = { prev: undefined, next: head.first };
  if (head.first !== undefined) head.first.prev = link;
  head.first = link;
  if (link.next !== undefined) link.next.prev = undefined;
  head.first = link.next;
  sink = link;
};
const longLived = perCall(addThenDelete);
// A full collection, as in a process that has served calls for a while.
setFlagsFromString('--expose-gc');
(runInNewContext('gc') as () => void)();
console.table([
  { case: 'a long-lived Set: add a call, then delete it', 'median ns': longLived },
  { case: 'the same, right after a full GC', 'median ns': perCall(addThenDelete) },
  { case: 'a list: link a call, then unlink it', 'median ns': perCall(linkThenUnlink) },
]);
void sink;
