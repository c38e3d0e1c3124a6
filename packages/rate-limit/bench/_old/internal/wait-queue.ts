/** A queued `acquire()`. `done` is set once it is admitted, aborted or timed out. */
export interface Waiter {
  done: boolean;
}

/**
 * A FIFO with O(1) push, peek and shift, and O(1) removal from the middle: a removed waiter is
 * only marked `done` and skipped when it reaches the head. The backing array is compacted once
 * the consumed prefix dominates it, so memory follows the live length.
 */
export class WaitQueue<W extends Waiter> {
  private items: W[] = [];
  private head = 0;
  /** Live (not done) waiters. */
  size = 0;

  push(waiter: W): void {
    this.items.push(waiter);
    this.size++;
  }

  /** The oldest live waiter, if any. */
  peek(): W | undefined {
    const items = this.items;
    while (this.head < items.length && items[this.head]!.done) this.head++;
    if (this.head >= items.length) {
      if (items.length > 0) {
        this.items = [];
        this.head = 0;
      }
      return undefined;
    }
    if (this.head > 1024 && this.head * 2 > items.length) {
      this.items = items.slice(this.head);
      this.head = 0;
    }
    return this.items[this.head];
  }

  /** Marks a waiter done and forgets it; works for the head and for any waiter behind it. */
  remove(waiter: W): void {
    if (waiter.done) return;
    waiter.done = true;
    this.size--;
  }

  /** Live waiters in order, up to and including `until` (for predicted waits on timeout). */
  *ahead(until: W): Generator<W> {
    for (let i = this.head; i < this.items.length; i++) {
      const w = this.items[i]!;
      if (w.done && w !== until) continue;
      yield w;
      if (w === until) return;
    }
  }

  /** Every live waiter, oldest first. */
  *all(): Generator<W> {
    for (let i = this.head; i < this.items.length; i++) {
      const w = this.items[i]!;
      if (!w.done) yield w;
    }
  }
}
