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
 * A Redis Cluster client holds one connection per node, and sends again itself a command whose
 * node connection closed (`retryDelayOnFailover`, or the node's own resend with
 * `clusterNodeRetryStrategy`) while the Cluster stays `ready` and emits no `close`: there, each
 * node's connection is followed (those of `nodes()`, then each `+node`), and the close of any of
 * them ends the takes in flight on every node (which node a take went to is the Cluster's
 * business; a take ended for nothing is decided by the policy and its reply given back).
 *
 * One `close` (and `ready`) listener per connection, added when the first store on the client is
 * created and never removed (a Cluster drops a lost node's connection, listeners and all): it
 * holds only the stores whose deadline timer runs, so a client shared by thousands of buckets
 * carries one listener, and keeps no idle store alive.
 */

type Listen = (event: string, listener: (...args: unknown[]) => void) => unknown;

const watchersByClient = new WeakMap<object, Set<() => void>>();

/**
 * The watchers of `client`'s `close` event (a store's deadlines join them while they run), or
 * `undefined` for a client without `on()` (not an ioredis one), whose resends cannot be seen.
 */
export function closeWatchers(client: object): Set<() => void> | undefined {
  const on = listenOf(client);
  if (on === undefined) return undefined;
  let watchers = watchersByClient.get(client);
  if (watchers === undefined) {
    const created = new Set<() => void>();
    // a copy: a watcher may leave (its timer stops) while the others are told
    const tell = () => {
      for (const watcher of [...created]) watcher();
    };
    const nodes = (client as { isCluster?: unknown; nodes?: unknown }).nodes;
    if ((client as { isCluster?: unknown }).isCluster === true && typeof nodes === 'function') {
      const followed = new WeakSet<object>();
      const followNode = (node: unknown) => {
        if (typeof node !== 'object' || node === null || followed.has(node)) return;
        followed.add(node);
        const onNode = listenOf(node);
        if (onNode !== undefined) followConnection(node, onNode, tell);
      };
      on.call(client, '+node', followNode);
      for (const node of nodes.call(client, 'all') as unknown[]) followNode(node);
    } else {
      followConnection(client, on, tell);
    }
    watchersByClient.set(client, created);
    watchers = created;
  }
  return watchers;
}

function listenOf(emitter: object): Listen | undefined {
  const on = (emitter as { on?: unknown }).on;
  return typeof on === 'function' ? (on as Listen) : undefined;
}

/** Calls `tell` when `connection`, after it was ready, closes. */
function followConnection(connection: object, on: Listen, tell: () => void): void {
  // ioredis' `status`; a client without one is taken as connected, and told of every close
  const status = (connection as { status?: unknown }).status;
  let ready = status === undefined || status === 'ready';
  on.call(connection, 'ready', () => {
    ready = true;
  });
  on.call(connection, 'close', () => {
    if (!ready) return;
    ready = false;
    tell();
  });
}
