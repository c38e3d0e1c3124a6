import type { Socket } from 'node:net';
import { onAbort } from '@x/internal';
import { Client, type Dispatcher } from 'undici';
import type { PoolDisconnectReason } from '../events';
import { logConnectFailed } from '../log';
import type { ResolvedPoolOptions } from '../options';
import type { createConnector, SocketInfo } from './connector';
import { requestSignal } from './handlers';
import type { OriginState } from './origins';

/** One undici `Client` (one socket at a time) of an origin, and the pool's view of it. */
export interface Slot {
  client: Client;
  origin: OriginState;
  /** True while the client cannot take another request (undici's needDrain). */
  busy: boolean;
  /** Set once the pool stopped using this client; no request is sent to it any more. */
  retired: boolean;
  /** True while the client has a connected socket (undici's 'connect' until 'disconnect'). */
  connected: boolean;
  /** The client's socket while it is connected (a request's headers deadline destroys it). */
  socket: Socket | undefined;
  /**
   * Requests handed to the client while it had no socket: counted as served once it connects,
   * dropped when the connection fails (undici then fails them without sending anything).
   */
  awaitingSocket: number;
  /** Aborts the connection attempt in progress (DNS, then TCP and TLS), if any. */
  connecting: AbortController | undefined;
  /** Called when that attempt is over (its socket handed to undici, or closed). */
  connectEnded: (() => void) | undefined;
  /** Stops watching the signals of the requests waiting for the socket (see watchAbort). */
  unwatch: (() => void) | undefined;
  /** Why the pool retired it, for the disconnect event. */
  endReason: PoolDisconnectReason | undefined;
  /** Settles when the client (and its socket) is gone. */
  ending: Promise<void> | undefined;
}

/** What the dispatcher does when a slot's client reports. */
export interface SlotEvents {
  /** A socket opened. */
  socket(slot: Slot, info: SocketInfo): void;
  /** `n` requests reached a connected socket. */
  served(slot: Slot, n: number): void;
  /** The client can take another request. */
  drain(slot: Slot): void;
  /** The socket closed (`connected`), or could not be opened (not `connected`). */
  disconnect(slot: Slot, error: Error | undefined, connected: boolean): void;
}

/**
 * Opens a slot: a Client of its own for `origin`, one request at a time on its socket, with the
 * pool's keep-alive and timeouts and the pool's connector (DNS cache, address rotation).
 */
export function openSlot(
  origin: OriginState,
  options: ResolvedPoolOptions,
  connect: ReturnType<typeof createConnector>,
  events: SlotEvents,
): Slot {
  const slot: Slot = {
    client: undefined as unknown as Client,
    origin,
    busy: false,
    retired: false,
    connected: false,
    socket: undefined,
    awaitingSocket: 0,
    connecting: undefined,
    connectEnded: undefined,
    unwatch: undefined,
    endReason: undefined,
    ending: undefined,
  };
  const onSocket = (info: SocketInfo) => {
    slot.socket = info.socket;
    events.socket(slot, info);
  };
  slot.client = new Client(origin.key, {
    pipelining: 1,
    keepAliveTimeout: options.keepAliveTimeoutMs,
    keepAliveMaxTimeout: options.keepAliveTimeoutMs,
    keepAliveTimeoutThreshold: 1_000,
    headersTimeout: options.headersTimeoutMs,
    bodyTimeout: options.bodyTimeoutMs,
    connect: (connectOptions, callback) => {
      const attempt = new AbortController();
      slot.connecting = attempt;
      const ended: typeof callback = (...args) => {
        if (slot.connecting === attempt) slot.connecting = undefined;
        slot.connectEnded?.();
        slot.connectEnded = undefined;
        callback(...args);
      };
      connect(connectOptions, ended, onSocket, attempt.signal);
    },
  });
  slot.client.on('drain', () => events.drain(slot));
  slot.client.on('connect', () => {
    slot.connected = true;
    unwatch(slot);
    events.served(slot, slot.awaitingSocket);
    slot.awaitingSocket = 0;
  });
  slot.client.on('disconnect', (_o, _t, error) => {
    slot.connected = false;
    slot.socket = undefined;
    events.disconnect(slot, error, true);
  });
  slot.client.on('connectionError', (_o, _t, error) => {
    // undici failed every request waiting for this socket: none of them was served.
    slot.awaitingSocket = 0;
    unwatch(slot);
    logConnectFailed(options.log, slot.origin.key, error);
    events.disconnect(slot, error, false);
  });
  return slot;
}

/**
 * Watches the signal of a request handed to a slot with no socket yet. undici's request handler
 * only records an abort until the socket connects (its `onConnect`), so the caller would wait out
 * the DNS query and the connect (and TLS) timeouts, and then get a connect error instead of
 * `signal.reason`. Only requests that open a socket get here, never one reusing a socket.
 */
export function watchAbort(
  slot: Slot,
  opts: Dispatcher.DispatchOptions,
  abandon: (slot: Slot, reason: unknown) => void,
): void {
  const signal = requestSignal(opts);
  if (signal === undefined) return;
  const stop = onAbort(signal, () => abandon(slot, signal.reason));
  const previous = slot.unwatch;
  slot.unwatch =
    previous === undefined
      ? stop
      : () => {
          previous();
          stop();
        };
}

function unwatch(slot: Slot): void {
  const stop = slot.unwatch;
  slot.unwatch = undefined;
  stop?.();
}

/**
 * Ends a slot's client: `close()` without `error`, else `destroy(error)`, which also abandons the
 * connection attempt in progress (undici's destroy does not stop its connector). Settles once no
 * socket of the slot is left, the attempt's included.
 */
export function endClient(slot: Slot, error: Error | undefined): Promise<unknown> {
  unwatch(slot);
  if (error === undefined) return slot.client.close();
  const destroyed = slot.client.destroy(error);
  const attempt = slot.connecting;
  if (attempt === undefined) return destroyed;
  const attemptEnded = new Promise<void>((resolve) => {
    // Ended twice (aborted, then the pool destroyed): both endings wait for the attempt.
    const previous = slot.connectEnded;
    slot.connectEnded =
      previous === undefined
        ? resolve
        : () => {
            previous();
            resolve();
          };
  });
  attempt.abort(error);
  return Promise.all([destroyed, attemptEnded]);
}

/**
 * A connected socket with nothing in flight, whether or not undici has reported it free yet: it
 * waits one event-loop turn after each answer before its 'drain'.
 */
export function idleNow(slot: Slot): boolean {
  return slot.connected && slot.client.stats.size === 0;
}

/** An idle slot to evict: one without a socket first, else any idle one. */
export function findIdle(origins: Iterable<OriginState>): Slot | undefined {
  let idle: Slot | undefined;
  for (const origin of origins) {
    for (const slot of origin.slots) {
      if (slot.busy || slot.client.stats.size !== 0) continue;
      if (!slot.client.stats.connected) return slot;
      idle ??= slot;
    }
  }
  return idle;
}
