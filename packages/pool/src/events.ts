import diagnosticsChannel from 'node:diagnostics_channel';

/** Published when the pool opened a new socket. Channel `x:pool:connect`. */
export interface PoolConnectEvent {
  /** `scheme://host:port` of the origin. */
  origin: string;
  /** The IP address the socket connected to. */
  address: string;
  /** Sockets open (or opening) across the pool after this one. */
  totalConnections: number;
}

/** Why a socket closed. */
export type PoolDisconnectReason =
  /** Closed by the pool to make room for another origin under `maxConnections`. */
  | 'evicted'
  /** Closed by `close()` or `destroy()`. */
  | 'pool-closed'
  /** Closed by the keep-alive timer, the server, or a network error (see `detail`). */
  | 'socket-closed';

/** Published when a socket of the pool closed. Channel `x:pool:disconnect`. */
export interface PoolDisconnectEvent {
  origin: string;
  reason: PoolDisconnectReason;
  /** undici's description of the closing cause, such as `socket idle timeout`. */
  detail: string | undefined;
}

/** Published when a queued request failed with `PoolTimeoutError`. Channel `x:pool:queue-timeout`. */
export interface PoolQueueTimeoutEvent {
  origin: string;
  waitedMs: number;
}

/** How one DNS lookup was answered. */
export type DnsLookupOutcome = 'hit' | 'miss' | 'stale' | 'negative' | 'error';

/** Published for every DNS lookup that is not an IP literal. Channel `x:pool:dns`. */
export interface PoolDnsEvent {
  hostname: string;
  outcome: DnsLookupOutcome;
}

export interface PoolEventMap {
  connect: PoolConnectEvent;
  disconnect: PoolDisconnectEvent;
  'queue-timeout': PoolQueueTimeoutEvent;
  dns: PoolDnsEvent;
}

const channels = {
  connect: diagnosticsChannel.channel('x:pool:connect'),
  disconnect: diagnosticsChannel.channel('x:pool:disconnect'),
  'queue-timeout': diagnosticsChannel.channel('x:pool:queue-timeout'),
  dns: diagnosticsChannel.channel('x:pool:dns'),
} as const;

/** Listeners plus diagnostics_channel publication; a listener's exception never breaks the pool. */
export class Emitter {
  readonly #listeners: { [K in keyof PoolEventMap]: Set<(event: PoolEventMap[K]) => void> } = {
    connect: new Set(),
    disconnect: new Set(),
    'queue-timeout': new Set(),
    dns: new Set(),
  };

  on<K extends keyof PoolEventMap>(
    name: K,
    listener: (event: PoolEventMap[K]) => void,
  ): () => void {
    if (typeof listener !== 'function') {
      throw new TypeError(
        `Expected \`listener\` to be a function, got \`${String(listener)}\` (${typeof listener})`,
      );
    }
    const set = this.#listeners[name] as Set<(event: PoolEventMap[K]) => void>;
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  wants(name: keyof PoolEventMap): boolean {
    return this.#listeners[name].size > 0 || channels[name].hasSubscribers;
  }

  emit<K extends keyof PoolEventMap>(name: K, event: PoolEventMap[K]): void {
    const set = this.#listeners[name] as Set<(event: PoolEventMap[K]) => void>;
    for (const listener of set) {
      try {
        listener(event);
      } catch (error) {
        // A faulty listener must not corrupt pool state (we are inside undici callbacks here):
        // surface it as a process warning instead of throwing.
        process.emitWarning(
          `An @x/pool ${name} listener threw: ${error instanceof Error ? error.message : String(error)}`,
          { code: 'X_POOL_LISTENER' },
        );
      }
    }
    if (channels[name].hasSubscribers) channels[name].publish(event);
  }
}
