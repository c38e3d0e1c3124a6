import { timerDelay } from '@x/internal';

// Every request gets a Life: its sleeps are cancellable so a client disconnect or close() ends the
// request's timers at once (no timer outlives the simulator).

export class Life {
  aborted = false;
  private readonly pending = new Map<ReturnType<typeof setTimeout>, () => void>();
  private readonly onAbort: (() => void)[] = [];
  private readonly onDrop: (() => void)[] = [];

  /**
   * Resolves after `ms`, or at once when the life is aborted. Timers are unref'd. Configured delays
   * are validated up to 2^31-1 ms; a computed one (a huge prompt at a slow rate) is capped there
   * rather than firing after 1 ms as Node would.
   */
  sleep(ms: number): Promise<void> {
    if (this.aborted || !(ms > 0)) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(timer);
        resolve();
      }, timerDelay(ms));
      timer.unref?.();
      this.pending.set(timer, resolve);
    });
  }

  /** Registers a callback run once on abort (e.g. leave a queue). */
  whenAborted(fn: () => void): void {
    if (this.aborted) fn();
    else this.onAbort.push(fn);
  }

  /** Registers what runs first when the simulator drops the request (stop(), close()). */
  whenDropped(fn: () => void): void {
    this.onDrop.push(fn);
  }

  /** The simulator drops the request: its drop callbacks run, then it is aborted. */
  drop(): void {
    for (const fn of this.onDrop.splice(0)) fn();
    this.abort();
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    for (const [timer, resolve] of this.pending) {
      clearTimeout(timer);
      resolve();
    }
    this.pending.clear();
    for (const fn of this.onAbort.splice(0)) fn();
  }
}
