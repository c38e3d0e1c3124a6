/** The reads of one key in flight, and whether memory's entry for the key changed since. */
interface KeyReads {
  pending: number;
  stale: boolean;
}

/**
 * The store reads in flight, by key, and whether memory's entry for their key was written or
 * removed since they were sent (`set()`, `delete()`, a stored load, `clear()`, `close()`). What
 * such a read brings back is older than memory: it is still its caller's answer, but taken into
 * memory it would bring back a key deleted meanwhile, or replace the value set meanwhile (and
 * written to the store after the read was sent).
 *
 * Two reads of one key in flight share one flag: one sent after a change is counted stale too.
 * That only leaves a value out of memory, which costs a later store read, never a wrong answer.
 */
export class StoreReads {
  readonly #reads = new Map<string, KeyReads>();

  /** Awaits a read of `key`: its result, and whether memory's entry for the key changed meanwhile. */
  async track<R>(key: string, read: Promise<R>): Promise<{ result: R; stale: boolean }> {
    let reads = this.#reads.get(key);
    if (reads === undefined) {
      reads = { pending: 0, stale: false };
      this.#reads.set(key, reads);
    }
    reads.pending++;
    try {
      const result = await read;
      return { result, stale: reads.stale };
    } finally {
      if (--reads.pending === 0) this.#reads.delete(key);
    }
  }

  /** Memory's entry for `key` was written or removed. */
  changed(key: string): void {
    const reads = this.#reads.get(key);
    if (reads !== undefined) reads.stale = true;
  }

  /** Memory was emptied. */
  cleared(): void {
    for (const reads of this.#reads.values()) reads.stale = true;
  }
}
