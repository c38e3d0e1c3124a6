import { displayUrl } from '@x/internal';
import { type Dispatcher, errors as undiciErrors } from 'undici';
import type { QueueItem } from './request-queue';
import type { Slot } from './slot';

/** One origin the pool talks to: its slots (sockets) and the requests waiting for one. */
export interface OriginState {
  key: string;
  aliases: string[];
  slots: Slot[];
  /** The slot given the origin's latest request: the first one tried for the next. */
  last: Slot | undefined;
  queue: (QueueItem | undefined)[];
  head: number;
  queued: number;
  socketsCreated: number;
  requestsServed: number;
}

/** The origin string a caller gave (`opts.origin`), or undefined when it is neither a string nor a URL. */
export function originKey(origin: Dispatcher.DispatchOptions['origin']): string | undefined {
  if (typeof origin === 'string') return origin;
  if (origin instanceof URL) return origin.origin;
  return undefined;
}

/** `scheme://host:port` of an origin string, or undefined when it has none. */
function parseOrigin(key: string): string | undefined {
  try {
    const normalised = new URL(key).origin;
    return normalised === 'null' ? undefined : normalised;
  } catch {
    return undefined;
  }
}

/**
 * An origin string as an error may show it: without a userinfo (`user:password@`), which undici
 * and the URL parser accept in an origin but `URL.origin` drops.
 */
export function displayOrigin(key: string): string {
  return parseOrigin(key) ?? displayUrl(key);
}

/** `scheme://host:port` of an origin string; undici's InvalidArgumentError when it has none. */
function normaliseOrigin(key: string): string {
  const normalised = parseOrigin(key);
  if (normalised === undefined) {
    throw new undiciErrors.InvalidArgumentError(`Invalid origin: ${displayUrl(key)}`);
  }
  return normalised;
}

/**
 * The most spellings of one origin remembered (its normalised key included): callers use a
 * handful (`http://h`, `http://h:80/`, `HTTP://H`), which stay on the fast path.
 */
const MAX_ALIASES = 16;

/** A new origin with nothing open or queued, known under its normalised key and `key`. */
export function newOrigin(normalised: string, key: string): OriginState {
  return {
    key: normalised,
    aliases: normalised === key ? [key] : [normalised, key],
    slots: [],
    last: undefined,
    queue: [],
    head: 0,
    queued: 0,
    socketsCreated: 0,
    requestsServed: 0,
  };
}

/**
 * The origins the pool holds, found by any spelling a caller used (`http://h:80/` and `http://h`
 * share one state). A cleanup timer, armed while origins exist, drops the ones without sockets or
 * queued requests.
 */
export class OriginRegistry {
  /** Lookup by the origin string as given by callers; several aliases may share one state. */
  readonly #byKey = new Map<string, OriginState>();
  readonly #origins = new Set<OriginState>();
  readonly #intervalMs: number;
  readonly #closed: () => boolean;
  /** Told when an origin is dropped, and after each cleanup pass. */
  readonly #onDrop: (origin: OriginState) => void;
  readonly #onSweep: () => void;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(init: {
    cleanupIntervalMs: number;
    closed: () => boolean;
    onDrop: (origin: OriginState) => void;
    onSweep: () => void;
  }) {
    this.#intervalMs = init.cleanupIntervalMs;
    this.#closed = init.closed;
    this.#onDrop = init.onDrop;
    this.#onSweep = init.onSweep;
  }

  get all(): ReadonlySet<OriginState> {
    return this.#origins;
  }

  get timerActive(): boolean {
    return this.#timer !== undefined;
  }

  /** The origin of `key`, added when new (undici's InvalidArgumentError for a bad origin). */
  get(key: string): OriginState {
    return this.#byKey.get(key) ?? this.#add(key);
  }

  /** Stops the cleanup timer and forgets every origin. */
  clear(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    for (const origin of [...this.#origins]) this.#drop(origin);
  }

  #add(key: string): OriginState {
    const normalised = normaliseOrigin(key);
    const existing = this.#byKey.get(normalised);
    if (existing !== undefined) {
      // Aliases only spare the URL parse for spellings seen before, and are freed only when the
      // origin is dropped (never while it keeps sockets): a caller giving a new spelling per
      // request (a path or query in the origin) would grow them without end. Past the cap, a new
      // spelling is parsed each time instead of remembered.
      if (existing.aliases.length < MAX_ALIASES) {
        existing.aliases.push(key);
        this.#byKey.set(key, existing);
      }
      return existing;
    }
    const origin = newOrigin(normalised, key);
    for (const alias of origin.aliases) this.#byKey.set(alias, origin);
    this.#origins.add(origin);
    this.#arm();
    return origin;
  }

  #arm(): void {
    if (this.#timer !== undefined || this.#closed()) return;
    this.#timer = setTimeout(() => this.#cleanup(), this.#intervalMs);
    this.#timer.unref?.();
  }

  /** Drops origins without sockets or queued requests. */
  #cleanup(): void {
    this.#timer = undefined;
    for (const origin of this.#origins) {
      if (origin.slots.length === 0 && origin.queued === 0) this.#drop(origin);
    }
    this.#onSweep();
    if (this.#origins.size > 0) this.#arm();
  }

  #drop(origin: OriginState): void {
    this.#origins.delete(origin);
    this.#onDrop(origin);
    for (const alias of origin.aliases) this.#byKey.delete(alias);
  }
}
