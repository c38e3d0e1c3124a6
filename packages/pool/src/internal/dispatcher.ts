import { isAbortSignal, liftAbortListenerLimit, onAbort } from '@x/internal';
import { Client, Dispatcher, errors as undiciErrors } from 'undici';
import { PoolClosedError, PoolTimeoutError } from '../errors';
import type { PoolDisconnectReason, PoolTopics } from '../events';
import { logConnectFailed } from '../log';
import type { ResolvedPoolOptions } from '../options';
import { createConnector } from './connector';
import { DnsCache } from './dns-cache';

type Handler = Dispatcher.DispatchHandler;
type DispatchOptions = Dispatcher.DispatchOptions;

interface QueueItem {
  opts: DispatchOptions;
  handler: Handler;
  origin: OriginState;
  enqueuedAt: number;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** Removes the listener on the caller's signal that drops the item when it aborts. */
  stopListening: (() => void) | undefined;
  done: boolean;
}

interface Slot {
  client: Client;
  origin: OriginState;
  /** True while the client cannot take another request (undici's needDrain). */
  busy: boolean;
  /** Set once the pool stopped using this client; no request is sent to it any more. */
  retired: boolean;
  /** True while the client has a connected socket (undici's 'connect' until 'disconnect'). */
  connected: boolean;
  /**
   * Requests handed to the client while it had no socket: counted as served once it connects,
   * dropped when the connection fails (undici then fails them without sending anything).
   */
  awaitingSocket: number;
  /** Why the pool retired it, for the disconnect event. */
  endReason: PoolDisconnectReason | undefined;
  /** Settles when the client (and its socket) is gone. */
  ending: Promise<void> | undefined;
}

export interface OriginState {
  key: string;
  aliases: string[];
  slots: Slot[];
  queue: (QueueItem | undefined)[];
  head: number;
  queued: number;
  socketsCreated: number;
  requestsServed: number;
}

export interface PoolCounters {
  socketsCreated: number;
  requestsServed: number;
  queueTimeouts: number;
  evictions: number;
}

const noop = () => {};

/** A controller for new-style (undici 7) handlers that receive an error before any request start. */
const detachedController = {
  abort: noop,
  pause: noop,
  resume: noop,
  aborted: false,
  paused: false,
  reason: null,
  rawHeaders: null,
  rawTrailers: null,
};

/** Fails a request that never reached a connection, whichever handler style it uses. */
function failHandler(handler: Handler, error: Error): void {
  const h = handler as {
    onError?: (error: Error) => void;
    onResponseError?: (controller: unknown, error: Error) => void;
  };
  if (typeof h.onError === 'function') h.onError(error);
  else if (typeof h.onResponseError === 'function') h.onResponseError(detachedController, error);
  else throw error;
}

function originKey(origin: DispatchOptions['origin']): string | undefined {
  if (typeof origin === 'string') return origin;
  if (origin instanceof URL) return origin.origin;
  return undefined;
}

/**
 * The pool's undici Dispatcher. It keeps one undici `Client` (one socket at a time) per slot, at
 * most `connectionsPerHost` slots per origin and `maxConnections` slots in total, and queues
 * requests that find no free slot.
 *
 * Why not undici's Agent/Pool: they have no total cap, and a per-socket `connect` gate cannot see
 * which sockets are idle. Owning the slots lets an idle socket of one origin be closed to make room
 * for another, and lets a queued request time out or be aborted without ever touching a socket.
 */
export class PoolDispatcher extends Dispatcher {
  readonly dns: DnsCache;
  readonly counters: PoolCounters = {
    socketsCreated: 0,
    requestsServed: 0,
    queueTimeouts: 0,
    evictions: 0,
  };
  readonly #options: ResolvedPoolOptions;
  readonly #topics: PoolTopics;
  readonly #connect: ReturnType<typeof createConnector>;
  /** Lookup by the origin string as given by callers; several aliases may share one state. */
  readonly #byKey = new Map<string, OriginState>();
  readonly #origins = new Set<OriginState>();
  /** Every client alive, including those being evicted; its size is the total socket count. */
  readonly #slots = new Set<Slot>();
  /** Origins with queued requests that wait for a slot under the total cap, oldest first. */
  readonly #waiters = new Set<OriginState>();
  #evicting = 0;
  #queuedTotal = 0;
  #closed = false;
  #destroyed = false;
  #closing: Promise<void> | undefined;
  #destroying: Promise<void> | undefined;
  #onQueuesEmpty: (() => void) | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: ResolvedPoolOptions, topics: PoolTopics) {
    super();
    this.#options = options;
    this.#topics = topics;
    this.dns = new DnsCache(
      {
        ttlMs: options.dnsTtlMs,
        negativeTtlMs: options.dnsNegativeTtlMs,
        maxStaleMs: options.dnsMaxStaleMs,
        queryTimeoutMs: options.connectTimeoutMs,
        resolver: options.resolver,
      },
      (hostname, outcome) => {
        if (topics.dns.active) topics.dns.emit({ hostname, outcome });
      },
    );
    this.#connect = createConnector(this.dns, options.connectTimeoutMs, options.tls);
  }

  get closed(): boolean {
    return this.#closed;
  }

  get destroyed(): boolean {
    return this.#destroyed;
  }

  get origins(): ReadonlySet<OriginState> {
    return this.#origins;
  }

  get totalSockets(): number {
    return this.#slots.size;
  }

  get timerActive(): boolean {
    return this.#timer !== undefined;
  }

  override dispatch(opts: DispatchOptions, handler: Handler): boolean {
    if (handler === null || typeof handler !== 'object') {
      throw new undiciErrors.InvalidArgumentError('handler must be an object');
    }
    try {
      if (opts === null || typeof opts !== 'object') {
        throw new undiciErrors.InvalidArgumentError('opts must be an object.');
      }
      const key = originKey(opts.origin);
      if (key === undefined) {
        throw new undiciErrors.InvalidArgumentError('opts.origin must be a string or a URL');
      }
      if (this.#closed) throw new PoolClosedError(key);
      const signal = (opts as { signal?: unknown }).signal;
      // undici's request adds an abort listener to the caller's signal without lifting Node's
      // limit: many requests sharing one signal would print MaxListenersExceededWarning.
      if (signal != null && isAbortSignal(signal)) liftAbortListenerLimit(signal);
      const origin = this.#byKey.get(key) ?? this.#addOrigin(key);
      const slots = origin.slots;
      if (origin.queued === 0) {
        for (let i = 0; i < slots.length; i++) {
          const slot = slots[i]!;
          if (!slot.busy) {
            this.#send(slot, opts, handler);
            return true;
          }
        }
        if (slots.length < this.#options.connectionsPerHost) {
          // undici waits one event-loop turn before it reports a keep-alive socket free again
          // ('drain'). A request arriving in that gap would open a new socket next to an idle
          // one; queueing it on the idle client reuses the socket instead.
          for (let i = 0; i < slots.length; i++) {
            const slot = slots[i]!;
            const c = slot.client.stats;
            if (c.connected && c.size === 0) {
              this.#send(slot, opts, handler);
              return true;
            }
          }
          if (this.#slots.size < this.#options.maxConnections) {
            this.#send(this.#openSlot(origin), opts, handler);
            return true;
          }
        }
      }
      this.#enqueue(origin, opts, handler);
      return true;
    } catch (error) {
      failHandler(handler, error as Error);
      return false;
    }
  }

  override close(): Promise<void>;
  override close(callback: () => void): void;
  override close(callback?: () => void): Promise<void> | void {
    if (this.#closing === undefined) {
      this.#closed = true;
      this.#closing = this.#whenQueuesEmpty()
        .then(() => {
          const endings: Promise<void>[] = [];
          for (const slot of this.#slots) {
            if (slot.ending === undefined) this.#retire(slot, 'pool-closed', 'close');
            endings.push(slot.ending!);
          }
          return Promise.all(endings);
        })
        .then(() => this.#finish());
    }
    if (typeof callback === 'function') {
      this.#closing.then(() => callback());
      return;
    }
    return this.#closing;
  }

  override destroy(): Promise<void>;
  override destroy(error: Error | null): Promise<void>;
  override destroy(callback: () => void): void;
  override destroy(error: Error | null, callback: () => void): void;
  override destroy(
    errorOrCallback?: Error | null | (() => void),
    maybeCallback?: () => void,
  ): Promise<void> | void {
    const callback = typeof errorOrCallback === 'function' ? errorOrCallback : maybeCallback;
    const error = typeof errorOrCallback === 'function' ? null : (errorOrCallback ?? null);
    if (this.#destroying === undefined) {
      this.#closed = true;
      this.#destroyed = true;
      for (const origin of this.#origins) {
        let item = this.#shift(origin);
        while (item !== undefined) {
          failHandler(item.handler, error ?? new PoolClosedError(origin.key));
          item = this.#shift(origin);
        }
      }
      this.#waiters.clear();
      const endings: Promise<void>[] = [];
      for (const slot of this.#slots) {
        if (slot.ending === undefined)
          this.#retire(slot, 'pool-closed', 'destroy', undefined, error);
        else slot.client.destroy(error ?? new PoolClosedError(slot.origin.key)).catch(noop);
        endings.push(slot.ending!);
      }
      this.#destroying = Promise.all(endings).then(() => this.#finish());
    }
    if (typeof callback === 'function') {
      this.#destroying.then(() => callback());
      return;
    }
    return this.#destroying;
  }

  // --- slots -------------------------------------------------------------------------------------

  #send(slot: Slot, opts: DispatchOptions, handler: Handler): void {
    if (slot.client.dispatch(opts, handler)) {
      slot.busy = false;
    } else if (slot.client.stats.size > 0) {
      // Busy until undici emits 'drain'.
      slot.busy = true;
    } else {
      // undici refused the request synchronously (invalid options; the handler already has the
      // error): no 'drain' will follow and nothing was served. A slot opened for this request
      // has no socket: give its share of the caps back at once.
      slot.busy = false;
      if (!slot.client.stats.connected) this.#retire(slot, 'socket-closed', 'destroy');
      return;
    }
    if (slot.connected) this.#countServed(slot, 1);
    else slot.awaitingSocket++;
  }

  #countServed(slot: Slot, n: number): void {
    slot.origin.requestsServed += n;
    this.counters.requestsServed += n;
  }

  #openSlot(origin: OriginState): Slot {
    const o = this.#options;
    const connect = this.#connect;
    const slot: Slot = {
      client: undefined as unknown as Client,
      origin,
      busy: false,
      retired: false,
      connected: false,
      awaitingSocket: 0,
      endReason: undefined,
      ending: undefined,
    };
    const onSocket = (info: { address: string }) => {
      this.counters.socketsCreated++;
      origin.socketsCreated++;
      if (this.#topics.connect.active) {
        this.#topics.connect.emit({
          origin: origin.key,
          address: info.address,
          totalConnections: this.#slots.size,
        });
      }
    };
    slot.client = new Client(origin.key, {
      pipelining: 1,
      keepAliveTimeout: o.keepAliveTimeoutMs,
      keepAliveMaxTimeout: o.keepAliveTimeoutMs,
      keepAliveTimeoutThreshold: 1_000,
      headersTimeout: o.headersTimeoutMs,
      bodyTimeout: o.bodyTimeoutMs,
      connect: (options, callback) => connect(options, callback, onSocket),
    });
    slot.client.on('drain', () => this.#onDrain(slot));
    slot.client.on('connect', () => {
      slot.connected = true;
      this.#countServed(slot, slot.awaitingSocket);
      slot.awaitingSocket = 0;
    });
    slot.client.on('disconnect', (_o, _t, error) => {
      slot.connected = false;
      this.#onDisconnect(slot, error, true);
    });
    slot.client.on('connectionError', (_o, _t, error) => {
      // undici failed every request waiting for this socket: none of them was served.
      slot.awaitingSocket = 0;
      logConnectFailed(this.#options.log, slot.origin.key, error);
      this.#onDisconnect(slot, error, false);
    });
    origin.slots.push(slot);
    this.#slots.add(slot);
    return slot;
  }

  #onDrain(slot: Slot): void {
    if (slot.retired) return;
    slot.busy = false;
    const origin = slot.origin;
    while (!slot.busy) {
      const item = this.#shift(origin);
      if (item === undefined) break;
      this.#send(slot, item.opts, item.handler);
    }
    if (!slot.busy && this.#waiters.size > 0) this.#pump();
  }

  #onDisconnect(slot: Slot, error: Error | undefined, connected: boolean): void {
    if (slot.retired) return;
    if (connected && this.#topics.disconnect.active) {
      this.#topics.disconnect.emit({
        origin: slot.origin.key,
        reason: 'socket-closed',
        detail: error?.message,
      });
    }
    // Idle and socketless: give the slot (and its share of the total cap) back. A slot still
    // holding a request keeps its share: its client reconnects by itself.
    if (slot.client.stats.size === 0) {
      this.#retire(slot, 'socket-closed', 'destroy', error?.message, null);
      this.#pump();
    }
  }

  /**
   * Stops using a slot and ends its client; the slot keeps counting against the total cap until
   * the socket is really closed, so the cap holds as the servers see it.
   */
  #retire(
    slot: Slot,
    reason: PoolDisconnectReason,
    how: 'close' | 'destroy',
    detail?: string,
    error?: Error | null,
  ): void {
    slot.retired = true;
    slot.endReason = reason;
    const list = slot.origin.slots;
    const index = list.indexOf(slot);
    if (index !== -1) list.splice(index, 1);
    // Requests queued behind the per-host cap may now get a slot of their own (for example when
    // the socket could not connect): line the origin up for the next free slot.
    if (slot.origin.queued > 0 && !this.#destroyed) this.#waiters.add(slot.origin);
    // A socket that closed by itself was announced already (or never opened).
    const announce = slot.client.stats.connected;
    const end =
      how === 'destroy'
        ? slot.client.destroy(error ?? new PoolClosedError(slot.origin.key))
        : slot.client.close();
    slot.ending = end.catch(noop).then(() => {
      this.#slots.delete(slot);
      if (reason === 'evicted') this.#evicting--;
      if (announce && this.#topics.disconnect.active) {
        this.#topics.disconnect.emit({ origin: slot.origin.key, reason, detail });
      }
      if (this.#waiters.size > 0) this.#pump();
    });
  }

  /** Hands free capacity under the total cap to waiting origins, evicting idle sockets if needed. */
  #pump(): void {
    if (this.#destroyed) return;
    const { connectionsPerHost, maxConnections } = this.#options;
    while (this.#waiters.size > 0) {
      const origin = this.#waiters.values().next().value as OriginState;
      if (origin.queued === 0 || origin.slots.length >= connectionsPerHost) {
        this.#waiters.delete(origin);
        continue;
      }
      if (this.#slots.size >= maxConnections) break;
      const slot = this.#openSlot(origin);
      const item = this.#shift(origin);
      if (item !== undefined) this.#send(slot, item.opts, item.handler);
      // Round robin between waiting origins: this one goes to the back of the line.
      this.#waiters.delete(origin);
      if (origin.queued > 0 && origin.slots.length < connectionsPerHost) this.#waiters.add(origin);
    }
    let wanted = this.#waiters.size - this.#evicting;
    while (wanted > 0) {
      const victim = this.#findIdle();
      if (victim === undefined) break;
      this.#evicting++;
      this.counters.evictions++;
      this.#retire(victim, 'evicted', 'close');
      wanted--;
    }
  }

  /** An idle slot to evict: one without a socket first, else any idle one. */
  #findIdle(): Slot | undefined {
    let idle: Slot | undefined;
    for (const origin of this.#origins) {
      for (const slot of origin.slots) {
        if (slot.busy || slot.client.stats.size !== 0) continue;
        if (!slot.client.stats.connected) return slot;
        idle ??= slot;
      }
    }
    return idle;
  }

  // --- queue -------------------------------------------------------------------------------------

  #enqueue(origin: OriginState, opts: DispatchOptions, handler: Handler): void {
    const signal = (opts as { signal?: unknown }).signal;
    const abortSignal = isAbortSignal(signal) ? signal : undefined;
    if (abortSignal?.aborted) {
      failHandler(handler, abortSignal.reason);
      return;
    }
    const item: QueueItem = {
      opts,
      handler,
      origin,
      enqueuedAt: performance.now(),
      timer: undefined,
      stopListening: undefined,
      done: false,
    };
    const timeoutMs = this.#options.queueTimeoutMs;
    if (timeoutMs !== Number.POSITIVE_INFINITY) {
      item.timer = setTimeout(() => this.#expire(item), timeoutMs);
      item.timer.unref?.();
    }
    if (abortSignal !== undefined) {
      item.stopListening = onAbort(abortSignal, () => this.#drop(item, abortSignal.reason));
    }
    origin.queue.push(item);
    origin.queued++;
    this.#queuedTotal++;
    if (origin.slots.length < this.#options.connectionsPerHost) {
      this.#waiters.add(origin);
      this.#pump();
    }
  }

  #shift(origin: OriginState): QueueItem | undefined {
    const queue = origin.queue;
    while (origin.head < queue.length) {
      const item = queue[origin.head];
      queue[origin.head++] = undefined;
      if (item !== undefined && !item.done) {
        this.#settle(item);
        this.#compact(origin);
        return item;
      }
    }
    this.#compact(origin);
    return undefined;
  }

  #compact(origin: OriginState): void {
    if (origin.head === origin.queue.length) {
      origin.queue.length = 0;
      origin.head = 0;
    } else if (origin.head > 1024 && origin.head * 2 > origin.queue.length) {
      origin.queue = origin.queue.slice(origin.head);
      origin.head = 0;
    }
  }

  /** Marks an item as leaving the queue (sent, timed out or aborted) and releases its timer. */
  #settle(item: QueueItem): void {
    item.done = true;
    item.origin.queued--;
    this.#queuedTotal--;
    if (item.timer !== undefined) clearTimeout(item.timer);
    item.stopListening?.();
    if (this.#queuedTotal === 0 && this.#onQueuesEmpty !== undefined) {
      const resolve = this.#onQueuesEmpty;
      this.#onQueuesEmpty = undefined;
      queueMicrotask(resolve);
    }
  }

  #drop(item: QueueItem, error: unknown): void {
    if (item.done) return;
    this.#settle(item);
    failHandler(item.handler, error as Error);
  }

  #expire(item: QueueItem): void {
    if (item.done) return;
    const waitedMs = performance.now() - item.enqueuedAt;
    this.counters.queueTimeouts++;
    const origin = item.origin.key;
    this.#drop(item, new PoolTimeoutError(origin, waitedMs, this.#options.queueTimeoutMs));
    if (this.#topics['queue-timeout'].active) {
      this.#topics['queue-timeout'].emit({ origin, waitedMs });
    }
  }

  #whenQueuesEmpty(): Promise<void> {
    if (this.#queuedTotal === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#onQueuesEmpty = resolve;
    });
  }

  // --- origins and clean-up ----------------------------------------------------------------------

  #addOrigin(key: string): OriginState {
    let normalised: string;
    try {
      normalised = new URL(key).origin;
    } catch {
      throw new undiciErrors.InvalidArgumentError(`Invalid origin: ${key}`);
    }
    if (normalised === 'null')
      throw new undiciErrors.InvalidArgumentError(`Invalid origin: ${key}`);
    const existing = this.#byKey.get(normalised);
    if (existing !== undefined) {
      existing.aliases.push(key);
      this.#byKey.set(key, existing);
      return existing;
    }
    const origin: OriginState = {
      key: normalised,
      aliases: normalised === key ? [key] : [normalised, key],
      slots: [],
      queue: [],
      head: 0,
      queued: 0,
      socketsCreated: 0,
      requestsServed: 0,
    };
    for (const alias of origin.aliases) this.#byKey.set(alias, origin);
    this.#origins.add(origin);
    this.#armCleanup();
    return origin;
  }

  #armCleanup(): void {
    if (this.#timer !== undefined || this.#closed) return;
    this.#timer = setTimeout(() => this.#cleanup(), this.#options.cleanupIntervalMs);
    this.#timer.unref?.();
  }

  /** Drops origins without sockets or queued requests and DNS entries that can no longer serve. */
  #cleanup(): void {
    this.#timer = undefined;
    for (const origin of this.#origins) {
      if (origin.slots.length === 0 && origin.queued === 0) this.#dropOrigin(origin);
    }
    this.dns.prune();
    if (this.#origins.size > 0) this.#armCleanup();
  }

  #dropOrigin(origin: OriginState): void {
    this.#origins.delete(origin);
    this.#waiters.delete(origin);
    for (const alias of origin.aliases) this.#byKey.delete(alias);
  }

  #finish(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    for (const origin of [...this.#origins]) this.#dropOrigin(origin);
    this.dns.clear();
  }
}
