import { describe } from './describe';
import { hideSecretShapes } from './secret-text';

/**
 * What a value thrown by user code (a listener, a logger) reads as in a warning: `Name: message`
 * for an `Error`, else `describe()`'s `` `value` (type) ``. Never throws: the value may be
 * `Object.create(null)`, an object whose `toString`, `name` or `message` throws, or a revoked
 * Proxy, and `String()` or a template literal on those throws inside the very `catch` that was
 * meant to contain the failure. What looks like a credential is hidden, as in an argument error:
 * user code's errors often quote the request or the connection string they failed on.
 */
export function describeThrown(error: unknown): string {
  try {
    if (error instanceof Error) return hideSecretShapes(`${error.name}: ${error.message}`);
  } catch {
    // An Error whose `name` or `message` cannot be read as text: shown as a value below.
  }
  try {
    return describe(error);
  } catch {
    // `typeof` is the one reading no trap or getter can break.
    return `an unreadable ${typeof error}`;
  }
}

/** The stack of a thrown `Error`, credentials hidden, for a warning's `detail`; else undefined. */
export function thrownStack(error: unknown): string | undefined {
  try {
    return error instanceof Error && typeof error.stack === 'string'
      ? hideSecretShapes(error.stack)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `process.emitWarning`, which must not throw either: it runs in a `catch` block or as a
 * promise's rejection handler, where throwing would fail the caller or leave a fresh unhandled
 * rejection (a test spy or an APM agent may replace `emitWarning`).
 */
export function warnSafely(message: string, options: NodeJS.EmitWarningOptions): void {
  try {
    process.emitWarning(message, options);
  } catch {
    // Nowhere left to report to.
  }
}

/**
 * Calls `report` with the rejection of `result` when it is a thenable (an `async` listener or log
 * method), so it is reported, not left as an unhandled rejection that crashes the process. A
 * `then` getter or a `then` that throws is reported the same way. `report` must not throw.
 */
export function reportRejection(result: unknown, report: (error: unknown) => void): void {
  if (typeof result !== 'function' && (typeof result !== 'object' || result === null)) return;
  try {
    const then = (result as { then?: unknown }).then;
    if (typeof then === 'function') then.call(result, undefined, report);
  } catch (error) {
    report(error);
  }
}
