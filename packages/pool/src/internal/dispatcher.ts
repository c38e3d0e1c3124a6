import { Dispatcher, errors as undiciErrors } from 'undici';
import { PoolClosedError, PoolTimeoutError } from '../errors';
import type { PoolDisconnectReason, PoolTopics } from '../events';
import type { ResolvedPoolOptions } from '../options';
import { guardLayers } from './compose-guard';
import { createConnector } from './connector';
import { createDnsCache, type DnsCache } from './dns-cache';
import { bindSocket, guardHandler } from './guarded-handler';
import { dispatchOrigin, failHandler, noop, refusedForSignal } from './handlers';
import { displayOrigin, OriginRegistry, type OriginState } from './origins';
import { RedirectHops } from './redirect-guard';
import { type QueueItem, RequestQueue } from './request-queue';
import {
  endClient,
  findIdle,
  idleNow,
  openSlot,
  type Slot,
  type SlotEvents,
  watchAbort,
} from './slot';

type Handler = Dispatcher.DispatchHandler;
type DispatchOptions = Dispatcher.DispatchOptions;
type Interceptor = Dispatcher.DispatcherComposeInterceptor;

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
  readonly counters = { socketsCreated: 0, requestsServed: 0, queueTimeouts: 0, evictions: 0 };
  readonly #options: ResolvedPoolOptions;
  readonly #topics: PoolTopics;
  readonly #connect: ReturnType<typeof createConnector>;
  readonly #origins: OriginRegistry;
  /** Every client alive, including those being evicted; its size is the total socket count. */
  readonly #slots = new Set<Slot>();
  /** Origins with queued requests that wait for a slot under the total cap, oldest first. */
  readonly #waiters = new Set<OriginState>();
  readonly #queue: RequestQueue;
  readonly #slotEvents: SlotEvents;
  readonly #hops = new RedirectHops();
  #evicting = 0;
  #closed = false;
  #destroyed = false;
  #closing: Promise<void> | undefined;
  #destroying: Promise<void> | undefined;

  constructor(options: ResolvedPoolOptions, topics: PoolTopics) {
    super();
    this.#options = options;
    this.#topics = topics;
    this.dns = createDnsCache(options, topics);
    this.#connect = createConnector(this.dns, options.connectTimeoutMs, options.tls);
    this.#origins = new OriginRegistry({
      cleanupIntervalMs: options.cleanupIntervalMs,
      closed: () => this.#closed,
      onDrop: (origin) => this.#waiters.delete(origin),
      // DNS entries that can no longer serve go with the origins' sweep.
      onSweep: () => this.dns.prune(),
    });
    this.#queue = new RequestQueue(options.queueTimeoutMs, (item, waitedMs) =>
      this.#expire(item, waitedMs),
    );
    this.#slotEvents = {
      socket: (slot, info) => {
        this.counters.socketsCreated++;
        slot.origin.socketsCreated++;
        if (this.#topics.connect.active) {
          this.#topics.connect.emit({
            origin: slot.origin.key,
            address: info.address,
            totalConnections: this.#slots.size,
          });
        }
      },
      served: (slot, n) => this.#countServed(slot, n),
      drain: (slot) => this.#onDrain(slot),
      disconnect: (slot, error, connected) => this.#onDisconnect(slot, error, connected),
    };
  }

  get closed(): boolean {
    return this.#closed;
  }

  get destroyed(): boolean {
    return this.#destroyed;
  }

  get origins(): ReadonlySet<OriginState> {
    return this.#origins.all;
  }

  /** Every client alive, those being closed included: their sockets are still open. */
  get slots(): ReadonlySet<Slot> {
    return this.#slots;
  }

  override dispatch(opts: DispatchOptions, given: Handler): boolean {
    if (given === null || typeof given !== 'object') {
      throw new undiciErrors.InvalidArgumentError('handler must be an object');
    }
    const handler = guardHandler(given, opts, this.#options.headersTimeoutMs);
    try {
      const key = dispatchOrigin(opts);
      // The key as given may hold a password (`http://user:pass@host`): never in an error.
      if (this.#closed) throw new PoolClosedError(displayOrigin(key));
      if (refusedForSignal(opts, handler)) return true;
      if (this.#hops.refused(given, handler, key, opts.headers)) return true;
      const origin = this.#origins.get(key);
      const slots = origin.slots;
      if (origin.queued === 0) {
        // The socket that served the latest request first, as soon as it has nothing in flight:
        // sequential calls keep to one warm socket, where taking the first slot already reported
        // free alternated between two, and each switch paid the keep-alive timer, the socket's
        // ref and unref and a 'drain'. The sockets left idle close at their keep-alive timeout.
        const last = origin.last;
        if (last !== undefined && (!last.busy || idleNow(last))) {
          this.#send(last, opts, handler);
          return true;
        }
        for (let i = 0; i < slots.length; i++) {
          const slot = slots[i]!;
          if (!slot.busy) {
            this.#send(slot, opts, handler);
            return true;
          }
        }
        if (slots.length < this.#options.connectionsPerHost) {
          // A request arriving before undici reports an idle socket free would open a new socket
          // next to it; queueing it on the idle client reuses the socket instead.
          for (let i = 0; i < slots.length; i++) {
            const slot = slots[i]!;
            if (idleNow(slot)) {
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

  /** undici's `compose()`, each layer refusing the redirect hops it sees (`compose-guard.ts`). */
  override compose(...args: [Interceptor[]] | Interceptor[]): Dispatcher.ComposedDispatcher {
    return super.compose(guardLayers(args) as Interceptor[]);
  }

  override close(): Promise<void>;
  override close(callback: () => void): void;
  override close(callback?: () => void): Promise<void> | void {
    if (this.#closing === undefined) {
      this.#closed = true;
      this.#closing = this.#queue
        .whenEmpty()
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
      for (const origin of this.#origins.all) {
        let item = this.#queue.shift(origin);
        while (item !== undefined) {
          failHandler(item.handler, error ?? new PoolClosedError(origin.key));
          item = this.#queue.shift(origin);
        }
      }
      this.#waiters.clear();
      const endings: Promise<void>[] = [];
      for (const slot of this.#slots) {
        if (slot.ending === undefined)
          this.#retire(slot, 'pool-closed', 'destroy', undefined, error);
        else
          endClient(slot, error ?? new PoolClosedError(slot.origin.key, { aborted: true })).catch(
            noop,
          );
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
    slot.origin.last = slot;
    bindSocket(handler, slot);
    if (slot.client.dispatch(opts, handler)) {
      slot.busy = false;
    } else if (slot.client.stats.size > 0) {
      // Busy until undici emits 'drain'.
      slot.busy = true;
    } else {
      // undici refused it synchronously (bad options; the handler has the error): no 'drain'
      // follows, nothing was served, and a slot opened for it has no socket: give its caps back.
      slot.busy = false;
      if (!slot.client.stats.connected) this.#retire(slot, 'socket-closed', 'destroy');
      return;
    }
    if (slot.connected) this.#countServed(slot, 1);
    else {
      slot.awaitingSocket++;
      watchAbort(slot, opts, this.#abandon);
    }
  }

  /**
   * A request waiting for its slot's socket was aborted: it fails with `signal.reason` now and the
   * attempt is abandoned (requests queued behind get a slot of their own). A slot holding another
   * request, which must not fail with this reason, is left to undici (it aborts at the connect).
   */
  readonly #abandon = (slot: Slot, reason: unknown): void => {
    if (slot.retired || slot.connected || slot.client.stats.size !== 1) return;
    this.#retire(slot, 'socket-closed', 'destroy', undefined, reason as Error);
  };

  #countServed(slot: Slot, n: number): void {
    slot.origin.requestsServed += n;
    this.counters.requestsServed += n;
  }

  #openSlot(origin: OriginState): Slot {
    const slot = openSlot(origin, this.#options, this.#connect, this.#slotEvents);
    origin.slots.push(slot);
    this.#slots.add(slot);
    return slot;
  }

  #onDrain(slot: Slot): void {
    if (slot.retired) return;
    slot.busy = false;
    const origin = slot.origin;
    while (!slot.busy) {
      const item = this.#queue.shift(origin);
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
    if (slot.origin.last === slot) slot.origin.last = undefined;
    const list = slot.origin.slots;
    const index = list.indexOf(slot);
    if (index !== -1) list.splice(index, 1);
    // Requests queued behind the per-host cap may now get a slot of their own (for example when
    // the socket could not connect): line the origin up for the next free slot.
    if (slot.origin.queued > 0 && !this.#destroyed) this.#waiters.add(slot.origin);
    // A socket that closed by itself was announced already (or never opened).
    const announce = slot.client.stats.connected;
    const end = endClient(
      slot,
      how === 'destroy'
        ? (error ?? new PoolClosedError(slot.origin.key, { aborted: true }))
        : undefined,
    );
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
      const item = this.#queue.shift(origin);
      if (item !== undefined) this.#send(slot, item.opts, item.handler);
      // Round robin between waiting origins: this one goes to the back of the line.
      this.#waiters.delete(origin);
      if (origin.queued > 0 && origin.slots.length < connectionsPerHost) this.#waiters.add(origin);
    }
    let wanted = this.#waiters.size - this.#evicting;
    while (wanted > 0) {
      const victim = findIdle(this.#origins.all);
      if (victim === undefined) break;
      this.#evicting++;
      this.counters.evictions++;
      this.#retire(victim, 'evicted', 'close');
      wanted--;
    }
  }

  // --- queue -------------------------------------------------------------------------------------

  #enqueue(origin: OriginState, opts: DispatchOptions, handler: Handler): void {
    this.#queue.add(origin, opts, handler);
    if (origin.slots.length < this.#options.connectionsPerHost) {
      this.#waiters.add(origin);
      this.#pump();
    }
  }

  #expire(item: QueueItem, waitedMs: number): void {
    this.counters.queueTimeouts++;
    const origin = item.origin.key;
    this.#queue.drop(item, new PoolTimeoutError(origin, waitedMs, this.#options.queueTimeoutMs));
    if (this.#topics['queue-timeout'].active) {
      this.#topics['queue-timeout'].emit({ origin, waitedMs });
    }
  }

  #finish(): void {
    this.#origins.clear();
    this.dns.clear();
  }
}
