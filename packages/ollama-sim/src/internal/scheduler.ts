import type { Life } from './life';
import { runnerSize } from './model-json';
import type { ResolvedModel } from './resolve-model';

/** The other runner options needsReload compares (api.Runner), as a request resolves them. */
export interface RunnerOptions {
  readonly numBatch: number;
  /** Layers offloaded to the GPU; negative: the server decides. */
  readonly numGpu: number;
  readonly mainGpu: number | undefined;
  readonly useMmap: boolean | undefined;
  readonly numThread: number;
  readonly draftNumPredict: number;
}

/**
 * What a runner is launched with and a request must find to use it (server/sched.go needsReload):
 * its window, whether llama-server shifts the context when generation fills it, and the other
 * runner options.
 */
export interface RunnerSetup {
  readonly numCtx: number;
  readonly contextShift: boolean;
  readonly options: RunnerOptions;
}

/**
 * Whether a runner launched with `a` serves a request that needs `b`. A request that leaves the
 * GPU layers to the server (a negative `num_gpu`) takes the runner whatever it was launched with.
 */
function sameSetup(a: RunnerSetup, b: RunnerSetup): boolean {
  const x = a.options;
  const y = b.options;
  return (
    a.numCtx === b.numCtx &&
    a.contextShift === b.contextShift &&
    x.numBatch === y.numBatch &&
    (y.numGpu < 0 || x.numGpu === y.numGpu) &&
    x.mainGpu === y.mainGpu &&
    x.useMmap === y.useMmap &&
    x.numThread === y.numThread &&
    x.draftNumPredict === y.draftNumPredict
  );
}

export interface LoadedState extends RunnerSetup {
  /** ms since epoch; Infinity for keep_alive < 0. */
  expiresAtMs: number;
  sizeVram: number;
}

interface SlotWaiter {
  readonly resolve: (ok: boolean) => void;
  readonly life: Life;
}

/** Per-model runtime state: the runner (loaded or loading), who holds it, its slots and their queue. */
export class ModelRuntime {
  /** Requests holding one of the runner's `numParallel` slots. */
  active = 0;
  /**
   * Requests given the runner, holding a slot or waiting for one (the scheduler's `refCount` in
   * Ollama): a reload for another window waits until there are none.
   */
  refs = 0;
  readonly waiting: SlotWaiter[] = [];
  loaded: LoadedState | undefined;
  /** A load under way: its setup, and whether it ended loaded (false: its client left). */
  loading: { setup: RunnerSetup; done: Promise<boolean> } | undefined;
  loads = 0;
  /** An unload was asked while requests ran: the runner goes when the last one ends. */
  unloadWhenIdle = false;
  /** The `/api/show` body, serialised once (it is ~20 KB with the tensor list). */
  show: string | undefined;
  private idle: (() => void)[] = [];

  constructor(readonly model: ResolvedModel) {}

  /** Whether a runner is loaded with this setup and has not expired (expiry is lazy: no idle timer). */
  isLoaded(setup: RunnerSetup, nowMs: number): boolean {
    const current = this.current(nowMs);
    return current !== undefined && sameSetup(current, setup);
  }

  /** The loaded state if it has not expired (a runner someone holds does not expire). */
  current(nowMs: number): LoadedState | undefined {
    const l = this.loaded;
    if (l !== undefined && this.refs === 0 && l.expiresAtMs < nowMs) this.loaded = undefined;
    return this.loaded;
  }

  /** Resolves once nobody holds the runner. */
  whenIdle(): Promise<void> {
    if (this.refs === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /** A holder lets go of the runner. */
  leave(): void {
    this.refs--;
    if (this.refs === 0) for (const resolve of this.idle.splice(0)) resolve();
  }
}

/** A request waiting for the scheduler to get its model loaded. */
interface Pending {
  readonly rt: ModelRuntime;
  readonly setup: RunnerSetup;
  readonly life: Life;
  readonly resolve: (ok: boolean) => void;
}

/**
 * Ollama's scheduler (server/sched.go) and each runner's slots (llm/llama_server.go). A request
 * for a model whose runner is loaded, or loading, with its setup (window, context shift, runner
 * options) takes
 * that runner at once and waits, without limit, for one of its `numParallel` slots. Any other
 * request (the model is not loaded, or loaded with another setup) goes through the pending queue:
 * one request at a time gets its runner loaded (a reload first waits until nobody holds the old
 * runner), and a request that finds `maxQueue` others already waiting there is refused (503) at
 * once.
 */
export class Scheduler {
  /** The pending queue (Ollama's buffered channel): a request left there by its client still counts until it is reached. */
  private readonly pending: Pending[] = [];
  /** The request the scheduler is getting a runner for, if any. */
  private processing: Pending | undefined;
  /** Set while that request waits (for a load, or for the old runner to be let go). */
  private stalled = false;
  private slotWaiters = 0;
  peakQueued = 0;
  rejected = 0;

  constructor(private readonly maxQueue: number) {}

  /** Requests waiting at the server: for the scheduler, or for a slot. */
  get queued(): number {
    let n = this.slotWaiters;
    for (const p of this.pending) if (!p.life.aborted) n++;
    if (this.stalled && this.processing?.life.aborted === false) n++;
    return n;
  }

  /**
   * Gives the request the model's runner with this setup (it then holds it: {@link release}, or
   * `rt.leave()` when it goes without a slot). `'busy'` when the pending queue is full, false when
   * the client left first.
   */
  async runner(rt: ModelRuntime, setup: RunnerSetup, life: Life): Promise<boolean | 'busy'> {
    for (;;) {
      if (life.aborted) return false;
      const loading = rt.loading;
      if (loading !== undefined && sameSetup(loading.setup, setup)) {
        await loading.done;
        continue;
      }
      if (loading === undefined && rt.isLoaded(setup, Date.now())) {
        rt.refs++;
        return true;
      }
      const admitted = await this.enqueue(rt, setup, life);
      if (admitted !== true) return admitted;
    }
  }

  /** Joins the pending queue; true once the scheduler has loaded (or is loading) this setup. */
  private enqueue(rt: ModelRuntime, setup: RunnerSetup, life: Life): Promise<boolean | 'busy'> {
    // An idle scheduler takes a request at once, even with no room to queue (maxQueue 0).
    const idle = this.processing === undefined && this.pending.length === 0;
    if (!idle && this.pending.length >= this.maxQueue) {
      this.rejected++;
      return Promise.resolve('busy');
    }
    return new Promise((resolve) => {
      this.pending.push({ rt, setup, life, resolve });
      // Taken at once by an idle scheduler: it has not waited (yet).
      if (idle) void this.next();
      else this.noteQueued();
    });
  }

  /** Works through the pending queue, one request at a time. */
  private async next(): Promise<void> {
    for (let p = this.pending.shift(); p !== undefined; p = this.pending.shift()) {
      if (p.life.aborted) {
        p.resolve(false);
        continue;
      }
      this.processing = p;
      p.resolve(await this.prepare(p));
      this.stalled = false;
    }
    this.processing = undefined;
  }

  /** Gets a runner with the request's setup loaded or loading; false when its client left. */
  private async prepare({ rt, setup, life }: Pending): Promise<boolean> {
    for (;;) {
      if (life.aborted) return false;
      const loading = rt.loading;
      if (loading !== undefined) {
        // The same setup: the request waits with the scheduler until it is up. Another one:
        // once it is up, the runner is reloaded.
        this.stall();
        await loading.done;
        if (sameSetup(loading.setup, setup) && rt.isLoaded(setup, Date.now())) return true;
        continue;
      }
      if (rt.isLoaded(setup, Date.now())) return true;
      if (rt.loaded !== undefined) {
        this.stall();
        await rt.whenIdle();
        if (rt.refs === 0) rt.loaded = undefined;
        continue;
      }
      this.load(rt, setup, life);
      return true;
    }
  }

  /** Starts a load; a client that leaves aborts it, as it aborts Ollama's. */
  private load(rt: ModelRuntime, setup: RunnerSetup, life: Life): void {
    const done = life.sleep(rt.model.loadTimeMs).then(() => {
      rt.loading = undefined;
      if (life.aborted) return false;
      rt.loads++;
      rt.loaded = {
        numCtx: setup.numCtx,
        contextShift: setup.contextShift,
        options: setup.options,
        expiresAtMs: Number.POSITIVE_INFINITY,
        sizeVram: runnerSize(rt.model, setup.numCtx),
      };
      return true;
    });
    rt.loading = { setup, done };
  }

  /** A slot on the runner the request holds: `true` now, else a promise (false if the client left). */
  slot(rt: ModelRuntime, life: Life): true | Promise<boolean> {
    if (rt.active < rt.model.numParallel && rt.waiting.length === 0) {
      rt.active++;
      return true;
    }
    this.slotWaiters++;
    this.noteQueued();
    return new Promise<boolean>((resolve) => {
      const waiter: SlotWaiter = {
        resolve: (ok) => {
          this.slotWaiters--;
          resolve(ok);
        },
        life,
      };
      rt.waiting.push(waiter);
      life.whenAborted(() => {
        const i = rt.waiting.indexOf(waiter);
        if (i >= 0) {
          rt.waiting.splice(i, 1);
          waiter.resolve(false);
        }
      });
    });
  }

  /** Frees a slot, handing it straight to the next waiter (FIFO), and lets go of the runner. */
  release(rt: ModelRuntime): void {
    const next = rt.waiting.shift();
    if (next !== undefined) next.resolve(true);
    else rt.active--;
    rt.leave();
  }

  private stall(): void {
    this.stalled = true;
    this.noteQueued();
  }

  private noteQueued(): void {
    const n = this.queued;
    if (n > this.peakQueued) this.peakQueued = n;
  }
}
