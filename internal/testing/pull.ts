/**
 * Reads an iterator to its end with `next()` only: unlike `for await`, a failure does not call
 * `return()`, so a test sees exactly what the iterator does on its own.
 */
export async function pullAll<T>(iterator: AsyncIterator<T, void>): Promise<T[]> {
  const seen: T[] = [];
  for (;;) {
    const step = await iterator.next();
    if (step.done === true) return seen;
    seen.push(step.value);
  }
}
