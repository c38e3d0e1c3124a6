/** The types of `@x/router/redis`: the Redis connections it takes, its options and its stats. */

/** The commands the state sends, typed structurally: ioredis 5 and 6 match it as is. */
export interface RedisRouterClientLike {
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  /** A second connection for the subscription (ioredis `duplicate()`). */
  duplicate?(): RedisSubscriberLike;
  /**
   * The client's options (ioredis): its `keyPrefix`, which ioredis puts before every key but
   * never before a channel, also goes before the channel's name.
   */
  readonly options?: { readonly keyPrefix?: string | undefined } | undefined;
  /**
   * Adds a listener (ioredis: the client's events). When the client has it, a subscriber the state
   * duplicated follows the client: it disconnects when the client's connection ends for good
   * (`end`: its `disconnect()` or `quit()`, or ioredis giving up), and connects again when the
   * client is `ready` after that.
   */
  on?(event: 'end' | 'ready', listener: () => void): unknown;
  /** Removes a listener {@link on} added. */
  removeListener?(event: 'end' | 'ready', listener: () => void): unknown;
}

/**
 * The events the router listens to on its subscriber, and what each listener is called with (as
 * ioredis 5 and 6 emit them). A listener takes `unknown` where the router reads any value, so a
 * client that emits something other than an `Error` still fits.
 */
export interface RedisSubscriberEvents {
  /** A message published on a channel the connection subscribed to. */
  message: (channel: string, message: string) => void;
  /** The connection failed, or Redis refused it (ioredis: an `Error` with Redis' code). */
  error: (error: unknown) => void;
  /** The connection is ready for commands (again, after a reconnection). */
  ready: () => void;
  /** The connection's socket connected (ioredis: `stream` is that socket). */
  connect: () => void;
  /** The connection closed; the client may reconnect. */
  close: () => void;
  /** The connection ended for good (ioredis: no more reconnections). */
  end: () => void;
}

/** A connection in subscriber mode (ioredis 5 or 6). */
export interface RedisSubscriberLike {
  subscribe(...channels: string[]): Promise<unknown>;
  unsubscribe?(...channels: string[]): Promise<unknown>;
  /** Adds one of the router's listeners, for the events it reads (ioredis' names and arguments). */
  on<E extends keyof RedisSubscriberEvents>(event: E, listener: RedisSubscriberEvents[E]): unknown;
  /** Removes a listener {@link on} added. */
  removeListener<E extends keyof RedisSubscriberEvents>(
    event: E,
    listener: RedisSubscriberEvents[E],
  ): unknown;
  quit(): Promise<unknown>;
  /** Drops the connection at once (ioredis): used when `quit()` gets no answer in time. */
  disconnect?(): void;
  /** Connects again after `disconnect()` (ioredis): a duplicated subscriber follows its client. */
  connect?(): Promise<unknown>;
  /**
   * The connection's socket (ioredis): a duplicated subscriber's is unref'd, so that the
   * subscription alone never keeps the process alive when `close()` is forgotten.
   */
  readonly stream?: { unref?(): unknown } | undefined;
  /**
   * The connection's state (ioredis: `'connecting'`, `'connect'`, `'ready'`...): a subscriber the
   * router made and is still connecting is let finish before its QUIT.
   */
  readonly status?: string | undefined;
}

/** Options of {@link createRedisRouterState}. */
export interface RedisRouterStateOptions {
  /** A connected client (ioredis 5 or 6); never closed by the state. */
  client: RedisRouterClientLike;
  /**
   * The connection that receives the other instances' news. One given here is yours: the state
   * neither unrefs nor ends it.
   * @default client.duplicate(), closed by the router's `close()`; it never keeps the process
   * alive by itself, and ends when the client ends
   */
  subscriber?: RedisSubscriberLike | undefined;
  /**
   * Prepended to every key and to the channel (after the client's own `keyPrefix`); instances
   * that share deployments share a prefix. `''` or a label of at most 200 printable characters
   * holding no credential (a URL with a password, an `sk-...` key): else a `RangeError` that
   * shows it as `[redacted]`.
   * @default 'x:router:'
   */
  prefix?: string | undefined;
  /**
   * How long one command may take before Redis counts as unavailable, in ms: 1 to 2^31-1 (a
   * fraction of a ms allowed: only a timer waits it).
   * @default 1000
   */
  commandTimeoutMs?: number | undefined;
}

/** A JSON-serialisable snapshot of the Redis state (the router's `stats().state`). */
export interface RedisRouterStateStats {
  kind: 'redis';
  /**
   * `unavailable` while the router decides from its own view alone: Redis failed, or the
   * subscription that brings the other instances' news is not in place (yet).
   */
  state: 'available' | 'unavailable';
  /**
   * While `unavailable`: the error that keeps it so, by Redis' error code when Redis refused the
   * connections (`WRONGPASS`, `NOAUTH`, `NOPERM`, `LOADING`, `BUSY`...), else the code or name of
   * the error that began the outage; `undefined` for a timeout or a lost connection, and while
   * `available`. Never a message.
   */
  outageError: string | undefined;
  outages: number;
  /** Cooldowns and recoveries told to the other instances. */
  published: number;
  /** News received from the other instances. */
  received: number;
  /** Commands that failed or timed out. */
  failedCommands: number;
  /** Probes this instance claimed, or found claimed by another instance. */
  probes: { won: number; lost: number };
  /** Times the cooldowns were read back (start, reconnection). */
  syncs: number;
  /**
   * From deciding to receipt of the last news, in ms, by the two hosts' wall clocks (a cooldown
   * received is shortened by as much).
   */
  lastPropagationMs: number | undefined;
}
