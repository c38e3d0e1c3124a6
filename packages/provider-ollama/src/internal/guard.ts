/** The part of `@x/breaker`'s breaker the provider uses. */
export interface BreakerLike {
  execute<T>(
    fn: (signal: AbortSignal) => Promise<T>,
    options?: { signal?: AbortSignal },
  ): Promise<T>;
  readonly state: string;
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * Runs a body-producing attempt inside `breaker.execute`, keeping the breaker's call open until
 * the consumer has read the whole body. So the breaker sees a stall or a mid-stream failure as a
 * failure, and a probe slot is held exactly as long as the HTTP exchange (an abort frees it).
 *
 * `start(signal)` receives the breaker's signal (it fires when a probe times out).
 */
export async function* guarded<T>(
  breaker: BreakerLike | undefined,
  callerSignal: AbortSignal | undefined,
  start: (breakerSignal: AbortSignal | undefined) => AsyncGenerator<T, void, undefined>,
): AsyncGenerator<T, void, undefined> {
  if (breaker === undefined) {
    yield* start(undefined);
    return;
  }
  const ready = deferred<AsyncGenerator<T, void, undefined>>();
  const outcome = deferred<void>();
  // The breaker may reject before running the function (open): then nobody awaits `outcome`.
  outcome.promise.catch(() => {});
  // Without a caller signal the breaker hands every call one shared signal that never aborts;
  // a per-call one keeps the exchange's listener off that shared object.
  const signal = callerSignal ?? new AbortController().signal;
  const execution = breaker.execute(
    (breakerSignal) => {
      ready.resolve(start(breakerSignal === signal ? undefined : breakerSignal));
      return outcome.promise;
    },
    { signal },
  );
  execution.catch((error) => ready.reject(error));
  const generator = await ready.promise;
  let settled = false;
  try {
    for await (const item of generator) yield item;
    settled = true;
    outcome.resolve();
  } catch (error) {
    settled = true;
    outcome.reject(error);
    // A probe timeout aborts our exchange with the breaker's reason: surface the breaker's error.
    throw error;
  } finally {
    // The consumer stopped reading: the call ends here, without blame.
    if (!settled) outcome.resolve();
  }
  await execution.catch(() => {});
}
