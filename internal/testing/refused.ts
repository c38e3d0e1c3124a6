/**
 * What a call refused before sending throws or rejects with: `call` may throw, return a promise
 * that rejects, or return an async iterable (a stream) whose first step throws. Fails when the
 * call is not refused, so a test of a refusal cannot pass on a call that went through.
 */
export async function refusedWith(call: () => unknown): Promise<Error> {
  try {
    const result = call();
    if (result instanceof Promise) await result;
    else if (result !== null && typeof result === 'object' && Symbol.asyncIterator in result) {
      for await (const _ of result as AsyncIterable<unknown>) {
        // The first step throws.
      }
    }
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to be refused');
}
