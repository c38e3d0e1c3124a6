import { randomBytes } from 'node:crypto';
import { BoundedMap } from '@x/internal';

/** Keys whose corrections are held during an outage (the oldest key's are dropped beyond it). */
const MAX_HELD_KEYS = 10_000;

/** Corrections of one key held apart with their ids; beyond, the oldest is let go (see `add`). */
const MAX_SENT_PER_KEY = 16;

/**
 * A new id for one `adjust` script call: 8 characters (48 random bits: two of a key's 32 recorded
 * ids meet once in about 10^13 adjusts), the length the script records (see `redis-script.ts`).
 * The script applies a call whose id the key holds only once, so a call the client sends again
 * after a lost reply, or that the store sends again from here, cannot refund twice.
 */
export const newCallId = (): string => randomBytes(6).toString('base64url');

/** A correction Redis did not confirm: with the id it was sent with, if it was sent. */
export interface HeldCorrection {
  readonly deltas: number[];
  readonly id: string | undefined;
}

/**
 * Corrections (`adjust`) Redis did not confirm during an outage, per key, sent once it answers
 * again: a charge for real usage must reach the shared buckets, late rather than never. Those
 * never sent are summed into one per key (an id is drawn when it is sent). One that was sent and
 * failed may have been applied (a connection lost after Redis ran it) and keeps its id, so that
 * sending it again is a no-op if it was.
 */
export class HeldCorrections {
  readonly #keys = new BoundedMap<string, HeldCorrection[]>(MAX_HELD_KEYS);
  readonly #count: number;

  /** @param count the number of limits: the length of every `deltas` */
  constructor(count: number) {
    this.#count = count;
  }

  /** Keys with corrections held. */
  get size(): number {
    return this.#keys.size;
  }

  /** Holds `deltas` for `key`; `id`: the id it was sent with, if it was. */
  add(key: string, deltas: readonly number[], id?: string): void {
    let held = this.#keys.get(key);
    if (held === undefined) {
      held = [];
      this.#keys.set(key, held);
    }
    if (id === undefined) {
      this.#sum(held, deltas);
      return;
    }
    if (held.some((h) => h.id === id)) return;
    held.push({ deltas: [...deltas], id });
    if (held.length > MAX_SENT_PER_KEY) {
      // Let the oldest go the safe way: its charges are kept, summed without its id (charged
      // twice at worst); its refunds are dropped (never given back twice).
      const index = held.findIndex((h) => h.id !== undefined);
      const [oldest] = held.splice(index, 1);
      this.#sum(
        held,
        oldest!.deltas.map((d) => Math.max(d, 0)),
      );
    }
  }

  /** Every held correction, key by key, and forgets them. */
  drain(): [key: string, correction: HeldCorrection][] {
    const all: [string, HeldCorrection][] = [];
    for (const [key, held] of this.#keys) for (const h of held) all.push([key, h]);
    this.#keys.clear();
    return all;
  }

  /** Adds `deltas` to the key's correction without an id (one never sent). */
  #sum(held: HeldCorrection[], deltas: readonly number[]): void {
    const open = held.find((h) => h.id === undefined);
    if (open === undefined) held.push({ deltas: [...deltas], id: undefined });
    else for (let i = 0; i < this.#count; i++) open.deltas[i]! += deltas[i]!;
  }
}
