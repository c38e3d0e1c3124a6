/**
 * Exponential backoff with full jitter: a delay drawn uniformly from
 * [0, min(maxDelayMs, baseDelayMs * 2^retry)). `retry` counts from 0 for the first retry.
 */
export function backoffDelay(
  retry: number,
  baseDelayMs: number,
  maxDelayMs: number,
  random: () => number,
): number {
  const cap = Math.min(maxDelayMs, baseDelayMs * 2 ** retry);
  const r = random();
  const unit = r >= 0 && r < 1 ? r : 0;
  return Math.floor(unit * cap);
}

/**
 * Keeps retries a bounded share of traffic: every request deposits `ratio` tokens, every retry
 * withdraws one. The balance starts at, and is capped by, `reserve`, so a quiet client can still
 * retry a few times while a failing burst cannot multiply its own load.
 */
export class RetryBudget {
  readonly ratio: number;
  readonly reserve: number;
  #balance: number;
  #denied = 0;

  constructor(ratio: number, reserve: number) {
    this.ratio = ratio;
    this.reserve = reserve;
    this.#balance = reserve;
  }

  deposit(): void {
    this.#balance = Math.min(this.reserve, this.#balance + this.ratio);
  }

  tryWithdraw(): boolean {
    if (this.#balance >= 1) {
      this.#balance -= 1;
      return true;
    }
    this.#denied++;
    return false;
  }

  get balance(): number {
    return this.#balance;
  }

  get denied(): number {
    return this.#denied;
  }
}

/**
 * Waits `ms` on a global timer; rejects with `signal.reason` on abort. The timer stays ref'd: it
 * exists only while a caller awaits the next attempt, and between attempts no socket holds the
 * process open, so an unref'd backoff would let a script exit before its answer arrived.
 */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
