/** The reads and loads of one key in flight, and how often memory's entry for the key changed. */
interface KeyWatch {
  pending: number;
  changes: number;
}

/**
 * The store reads and loads in flight, by key, and whether memory's entry for their key was
 * written or removed since they started (`set()`, `delete()`, a stored load, `clear()`,
 * `close()`). What such a read or load brings back is older than memory: it is still its
 * callers' answer, but taken into memory (and, for a load, written to the store) it would bring
 * back a key deleted meanwhile, or replace the value set meanwhile (and written to the store
 * after the read was sent or the load started).
 *
 * Each read or load compares the key's change count at its end with the one at its start, so one
 * started after a change is not made stale by it.
 */
export class StoreReads {
  readonly #watches = new Map<string, KeyWatch>();

  /**
   * Runs `work` while watching `key`: `changed()` says whether memory's entry for the key was
   * written or removed since `work` started.
   */
  async watch<R>(key: string, work: (changed: () => boolean) => Promise<R>): Promise<R> {
    let watch = this.#watches.get(key);
    if (watch === undefined) {
      watch = { pending: 0, changes: 0 };
      this.#watches.set(key, watch);
    }
    const seen = watch;
    const start = seen.changes;
    seen.pending++;
    try {
      return await work(() => seen.changes !== start);
    } finally {
      if (--seen.pending === 0) this.#watches.delete(key);
    }
  }

  /** Awaits a read of `key`: its result, and whether memory's entry for the key changed meanwhile. */
  track<R>(key: string, read: Promise<R>): Promise<{ result: R; stale: boolean }> {
    return this.watch(key, async (changed) => {
      const result = await read;
      return { result, stale: changed() };
    });
  }

  /** Memory's entry for `key` was written or removed. */
  changed(key: string): void {
    const watch = this.#watches.get(key);
    if (watch !== undefined) watch.changes++;
  }

  /** Memory was emptied. */
  cleared(): void {
    for (const watch of this.#watches.values()) watch.changes++;
  }
}
