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
  // The breaker's own signal matters only for a probe (it aborts one that outlives
  // probeTimeoutMs). While closed it is the caller's signal or a shared one that never aborts,
  // so it is not followed, and a call without a caller signal keeps the breaker's fast path.
  const probing = breaker.state !== 'closed';
  const run = (breakerSignal: AbortSignal) => {
    ready.resolve(start(probing && breakerSignal !== callerSignal ? breakerSignal : undefined));
    return outcome.promise;
  };
  const execution =
    callerSignal === undefined
      ? breaker.execute(run)
      : breaker.execute(run, { signal: callerSignal });
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
