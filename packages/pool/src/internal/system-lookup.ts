import { promises as dnsPromises } from 'node:dns';
import { type Deferred, deferred, onAbort, WaiterQueue } from '@x/internal';
import type { ResolvedAddress, Resolver } from '../options';

/** One lookup as the operating system's resolver answers it. */
export type LookupFn = (hostname: string) => Promise<readonly ResolvedAddress[]>;

const osLookup: LookupFn = async (hostname) => {
  const found = await dnsPromises.lookup(hostname, { all: true, order: 'verbatim' });
  return found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

/**
 * Lookups of the operating system's resolver allowed at once: one less than libuv's threadpool
 * (`UV_THREADPOOL_SIZE`, 4 by default, read as libuv reads it), at least one. getaddrinfo holds
 * a thread of that pool until the OS resolver gives up, which for an unanswered name takes its
 * own timeouts times its attempts, far past ours; the pool is shared with fs, crypto and zlib,
 * so hung lookups must not take all of it.
 */
export function systemLookupLimit(
  env: string | undefined = process.env.UV_THREADPOOL_SIZE,
): number {
  if (env === undefined) return 3;
  // libuv: atoi, 0 taken as 1, anything past 1024 (a negative number, as unsigned) as 1024.
  const n = Number.parseInt(env, 10) || 0;
  const size = n === 0 ? 1 : n < 0 || n > 1024 ? 1024 : n;
  return Math.max(1, size - 1);
}

interface Joiner {
  result: Deferred<readonly ResolvedAddress[]>;
  stop: () => void;
}

interface InLine {
  hostname: string;
  result: Deferred<readonly ResolvedAddress[]>;
  signal: AbortSignal;
}

/**
 * The default resolver: `dns.lookup` (getaddrinfo, on libuv's threadpool), which nothing can
 * cancel once it runs. So that nothing of the pool waits on such a call or piles them up:
 * - at most `limit` calls run at once, every pool of the process counted (the threadpool is the
 *   process's); a lookup past it waits in line, and leaves the line without ever running when
 *   its signal aborts;
 * - a lookup of a name whose call still runs (its first asker gone or not) joins that call
 *   instead of taking a second thread for the same name;
 * - a signal that aborts ends its own wait at once and releases what was kept for it; the call
 *   runs on, kept only to be joined, and counts against `limit` until it really ends.
 */
export class SystemLookups {
  readonly #lookup: LookupFn;
  readonly #limit: number;
  /** Calls running, by name, with the lookups still waiting for each. */
  readonly #running = new Map<string, Set<Joiner>>();
  readonly #line = new WaiterQueue<InLine>({
    onAbort: (waiting, reason) => waiting.value.result.reject(reason),
  });

  constructor(lookup: LookupFn = osLookup, limit = systemLookupLimit()) {
    this.#lookup = lookup;
    this.#limit = limit;
  }

  /** Calls running (answered or not by the OS), hung ones included. */
  get running(): number {
    return this.#running.size;
  }

  /** Lookups waiting for a call to start. */
  get waiting(): number {
    return this.#line.size;
  }

  /** True when a lookup of `hostname` waits for a call to start (read only at a timeout). */
  inLine(hostname: string): boolean {
    for (const waiting of this.#line) if (waiting.value.hostname === hostname) return true;
    return false;
  }

  readonly resolve: Resolver = (hostname, { signal }) => {
    if (signal.aborted) return Promise.reject(signal.reason);
    const result = deferred<readonly ResolvedAddress[]>();
    if (this.#running.has(hostname) || this.#running.size < this.#limit) {
      this.#join(hostname, result, signal);
    } else {
      this.#line.push({ hostname, result, signal }, signal);
    }
    return result.promise;
  };

  #join(hostname: string, result: Deferred<readonly ResolvedAddress[]>, signal: AbortSignal): void {
    let joiners = this.#running.get(hostname);
    if (joiners === undefined) {
      joiners = new Set();
      this.#running.set(hostname, joiners);
      this.#start(hostname, joiners);
    }
    const set = joiners;
    // Held in the set, not as a reaction on the call's promise: reactions stay until a hung call
    // ends, so every lookup that gave up on it would be kept until then.
    const joiner: Joiner = {
      result,
      stop: onAbort(signal, () => {
        set.delete(joiner);
        result.reject(signal.reason);
      }),
    };
    set.add(joiner);
  }

  #start(hostname: string, joiners: Set<Joiner>): void {
    const end = (failed: boolean, outcome: unknown): void => {
      this.#running.delete(hostname);
      for (const joiner of joiners) {
        joiner.stop();
        if (failed) joiner.result.reject(outcome);
        else joiner.result.resolve(outcome as readonly ResolvedAddress[]);
      }
      joiners.clear();
      this.#admit();
    };
    let call: Promise<readonly ResolvedAddress[]>;
    try {
      call = this.#lookup(hostname);
    } catch (error) {
      call = Promise.reject(error);
    }
    call.then(
      (records) => end(false, records),
      (error: unknown) => end(true, error),
    );
  }

  /** Starts (or joins) the lookups next in line while calls are free. */
  #admit(): void {
    for (;;) {
      const head = this.#line.peek();
      if (head === undefined) return;
      const { hostname, result, signal } = head.value;
      if (!this.#running.has(hostname) && this.#running.size >= this.#limit) return;
      // Its signal is not aborted: the line's abort listener would have taken it out.
      this.#line.remove(head);
      this.#join(hostname, result, signal);
    }
  }
}

let shared: SystemLookups | undefined;

/** The process's one set of OS lookups, shared by every pool: they share one threadpool. */
export function systemLookups(): SystemLookups {
  shared ??= new SystemLookups();
  return shared;
}
