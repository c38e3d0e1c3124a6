/**
 * A routed stream's iterator: the generator's, but for `throw()`. A consumer that leaves with an
 * error of its own calls it (Node's `Readable.from()` destroyed with one: a `pipeline()` to a
 * response whose client went away); thrown into the generator at its `yield`, that error was
 * judged a failure of the deployment (a cooldown after a few disconnects, `onError` told the
 * caller's error) and the provider's stream was never ended (its slot and socket held until its
 * `consumerMs`). It ends the stream as `return()` does (counted as cancelled, the provider's
 * stream ended), then rejects with that error, as a generator that does not catch it would.
 */
export class RoutedIterator<T> implements AsyncIterator<T> {
  readonly #generator: AsyncGenerator<T, void, undefined>;

  constructor(generator: AsyncGenerator<T, void, undefined>) {
    this.#generator = generator;
  }

  next(): Promise<IteratorResult<T, void>> {
    return this.#generator.next();
  }

  return(value?: undefined): Promise<IteratorResult<T, void>> {
    return this.#generator.return(value);
  }

  throw(error?: unknown): Promise<IteratorResult<T, void>> {
    return this.#generator.return(undefined).then(() => Promise.reject(error));
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
