/**
 * Who hears that a Redis client's connection closed. ioredis sends again, once reconnected, every
 * command whose reply the closed connection took with it (`autoResendUnfulfilledCommands`, on by
 * default), so Redis may run such a command twice, and its second reply is the one its caller
 * gets. Each such resend follows the `close` of a connection that was `ready`: a store whose
 * deadlines listen for it ends its takes in flight at once (see `FifoDeadlines.connectionClosed`).
 * The closes of reconnection attempts that never became ready are not told: the commands waiting
 * meanwhile sit in ioredis' offline queue, unsent, and are sent once only; they wait for their
 * decision timeout as before.
 *
 * One `close` (and `ready`) listener per client, added when the first store on it is created
 * and never removed: it holds only the stores whose deadline timer runs, so a client shared by
 * thousands of buckets carries one listener, and keeps no idle store alive.
 */

const watchersByClient = new WeakMap<object, Set<() => void>>();

/**
 * The watchers of `client`'s `close` event (a store's deadlines join them while they run), or
 * `undefined` for a client without `on()` (not an ioredis one), whose resends cannot be seen.
 */
export function closeWatchers(client: object): Set<() => void> | undefined {
  const on = (client as { on?: unknown }).on;
  if (typeof on !== 'function') return undefined;
  let watchers = watchersByClient.get(client);
  if (watchers === undefined) {
    const created = new Set<() => void>();
    // ioredis' `status`; a client without one is taken as connected, and told of every close
    const status = (client as { status?: unknown }).status;
    let ready = status === undefined || status === 'ready';
    on.call(client, 'ready', () => {
      ready = true;
    });
    on.call(client, 'close', () => {
      if (!ready) return;
      ready = false;
      // a copy: a watcher may leave (its timer stops) while the others are told
      for (const watcher of [...created]) watcher();
    });
    watchersByClient.set(client, created);
    watchers = created;
  }
  return watchers;
}
