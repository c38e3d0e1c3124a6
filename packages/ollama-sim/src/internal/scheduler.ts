import type { Life } from './life';
import type { ResolvedModel } from './resolve-model';

export interface LoadedState {
  numCtx: number;
  /** ms since epoch; Infinity for keep_alive < 0. */
  expiresAtMs: number;
  sizeVram: number;
}

/** Per-model runtime state: slots, the wait queue, and the loaded runner. */
export class ModelRuntime {
  active = 0;
  readonly waiting: { resolve: (ok: boolean) => void; life: Life }[] = [];
  loaded: LoadedState | undefined;
  loading: { numCtx: number; done: Promise<void> } | undefined;
  loads = 0;
  /** An unload was asked while requests ran: the runner goes when the last one ends. */
  unloadWhenIdle = false;
  /** The `/api/show` body, serialised once (it is ~20 KB with the tensor list). */
  show: string | undefined;

  constructor(readonly model: ResolvedModel) {}

  /** Whether a runner is loaded with this window and has not expired (expiry is lazy: no idle timer). */
  isLoaded(numCtx: number, nowMs: number): boolean {
    const l = this.loaded;
    if (l === undefined) return false;
    if (this.active <= 1 && l.expiresAtMs < nowMs) {
      this.loaded = undefined;
      return false;
    }
    return l.numCtx === numCtx;
  }

  /** The loaded state if it has not expired (for /api/ps). */
  current(nowMs: number): LoadedState | undefined {
    const l = this.loaded;
    if (l === undefined) return undefined;
    if (this.active === 0 && l.expiresAtMs < nowMs) {
      this.loaded = undefined;
      return undefined;
    }
    return l;
  }
}

/**
 * Ollama's concurrency model: `numParallel` slots per model and one pending queue of `maxQueue`
 * across models; a request that finds the queue full is refused (503) at once.
 */
export class Scheduler {
  pending = 0;
  peakPending = 0;
  rejected = 0;

  constructor(private readonly maxQueue: number) {}

  /** `true` when a slot is taken now, `'busy'` when the queue is full, else a promise (false if aborted). */
  acquire(rt: ModelRuntime, life: Life): true | 'busy' | Promise<boolean> {
    if (rt.active < rt.model.numParallel && rt.waiting.length === 0) {
      rt.active++;
      return true;
    }
    if (this.pending >= this.maxQueue) {
      this.rejected++;
      return 'busy';
    }
    this.pending++;
    if (this.pending > this.peakPending) this.peakPending = this.pending;
    return new Promise<boolean>((resolve) => {
      const waiter = { resolve, life };
      rt.waiting.push(waiter);
      life.whenAborted(() => {
        const i = rt.waiting.indexOf(waiter);
        if (i >= 0) {
          rt.waiting.splice(i, 1);
          this.pending--;
          resolve(false);
        }
      });
    });
  }

  /** Frees a slot, handing it straight to the next waiter (FIFO). */
  release(rt: ModelRuntime): void {
    const next = rt.waiting.shift();
    if (next) {
      this.pending--;
      next.resolve(true);
      return;
    }
    rt.active--;
  }

  get queued(): number {
    return this.pending;
  }
}
