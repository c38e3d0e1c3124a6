import type { Cache } from '@x/cache';

/**
 * What the providers sharing one cache know of each other: how many use it, and whose loader runs
 * now for a key. Found once per provider (at construction), never per call.
 */
interface CacheSharing {
  /** Providers using the cache: see {@link CacheMembership}. */
  providers: number;
  /** The provider whose loader runs now, by the cache's key; filled only while shared. */
  readonly loading: Map<string, object>;
}

const sharings = new WeakMap<Cache, CacheSharing>();

/**
 * One provider's place among the providers sharing a cache: counted from its construction until
 * it is closed or destroyed and no call or load of its own is left in the cache. While one is,
 * another provider's call may join a load of this one's (started before the cache was shared, or
 * after `close()` by a call admitted before it) and needs the sharing's bound; after, the
 * providers left pay nothing for sharing once they are one.
 */
export class CacheMembership {
  readonly #sharing: CacheSharing;
  /** This provider's cache calls and loads in flight. */
  #busy = 0;
  /** `close()` or `destroy()` was called. */
  #leaving = false;
  /** Not counted now (left, until a late call comes in). */
  #left = false;
  /** Resolves {@link idle}'s promise; set while one is waited for. */
  #idle: (() => void) | undefined;
  #idlePromise: Promise<void> | undefined;

  constructor(cache: Cache) {
    let sharing = sharings.get(cache);
    if (sharing === undefined) {
      sharing = { providers: 0, loading: new Map() };
      sharings.set(cache, sharing);
    }
    sharing.providers++;
    this.#sharing = sharing;
  }

  /** True while more than one provider uses the cache. */
  get shared(): boolean {
    return this.#sharing.providers > 1;
  }

  /** The provider whose loader runs now, by the cache's key (filled only while shared). */
  get loading(): Map<string, object> {
    return this.#sharing.loading;
  }

  /** A call or a load of this provider's begins (a load may outlive every call waiting on it). */
  enter(): void {
    // A call admitted before the close that reaches the cache after it: counted again meanwhile.
    if (this.#left) {
      this.#left = false;
      this.#sharing.providers++;
    }
    this.#busy++;
  }

  /** A call or a load of this provider's ended. */
  exit(): void {
    if (--this.#busy === 0 && this.#leaving) this.#depart();
  }

  /**
   * Resolves once no call or load of this provider's is left in the cache: `close()` waits for
   * it, as it waits for the requests on its own sockets. A call that joined another provider's
   * load holds no socket of this one, so the pool's closing alone would not wait for it.
   */
  idle(): Promise<void> | undefined {
    if (this.#busy === 0) return undefined;
    this.#idlePromise ??= new Promise<void>((resolve) => {
      this.#idle = resolve;
    });
    return this.#idlePromise;
  }

  /** The provider was closed or destroyed: it stops counting once nothing of its own is left. */
  leave(): void {
    if (this.#leaving) return;
    this.#leaving = true;
    if (this.#busy === 0) this.#depart();
  }

  #depart(): void {
    const idle = this.#idle;
    if (idle !== undefined) {
      this.#idle = undefined;
      this.#idlePromise = undefined;
      // After the microtasks in the queue: the call that left last ends (its error told, its
      // stats counted) before `close()` resolves.
      setImmediate(idle);
    }
    if (this.#left) return;
    this.#left = true;
    this.#sharing.providers--;
  }
}
