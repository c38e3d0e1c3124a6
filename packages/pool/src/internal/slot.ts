import { Client } from 'undici';
import type { PoolDisconnectReason } from '../events';
import { logConnectFailed } from '../log';
import type { ResolvedPoolOptions } from '../options';
import type { createConnector, SocketInfo } from './connector';
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
    awaitingSocket: 0,
    endReason: undefined,
    ending: undefined,
  };
  const onSocket = (info: SocketInfo) => events.socket(slot, info);
  slot.client = new Client(origin.key, {
    pipelining: 1,
    keepAliveTimeout: options.keepAliveTimeoutMs,
    keepAliveMaxTimeout: options.keepAliveTimeoutMs,
    keepAliveTimeoutThreshold: 1_000,
    headersTimeout: options.headersTimeoutMs,
    bodyTimeout: options.bodyTimeoutMs,
    connect: (connectOptions, callback) => connect(connectOptions, callback, onSocket),
  });
  slot.client.on('drain', () => events.drain(slot));
  slot.client.on('connect', () => {
    slot.connected = true;
    events.served(slot, slot.awaitingSocket);
    slot.awaitingSocket = 0;
  });
  slot.client.on('disconnect', (_o, _t, error) => {
    slot.connected = false;
    events.disconnect(slot, error, true);
  });
  slot.client.on('connectionError', (_o, _t, error) => {
    // undici failed every request waiting for this socket: none of them was served.
    slot.awaitingSocket = 0;
    logConnectFailed(options.log, slot.origin.key, error);
    events.disconnect(slot, error, false);
  });
  return slot;
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
