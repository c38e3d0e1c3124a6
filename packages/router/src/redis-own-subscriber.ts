/**
 * The lifetime of the subscriber the Redis state duplicated from the app's client: only
 * `router.close()` ends it, and a router whose `close()` is forgotten must not keep the process
 * alive for good, as no other package's does.
 */
import type { RedisRouterClientLike, RedisSubscriberLike } from './redis-types';

/**
 * Makes `sub` follow `client` until the returned function is called (at `close()`):
 *
 * - its socket is unref'd on every connection (each makes a new one), so an idle subscription
 *   never holds the event loop: the app's own client is the app's to end;
 * - when the client ends for good (ioredis `end`: `disconnect()`, `quit()`, or its retry strategy
 *   giving up), `sub` disconnects too: commands cannot run any more, and a subscriber still
 *   reconnecting (its timer, a socket being connected) would hold the process;
 * - when the client is ready again after that (`connect()`), `sub` connects again (once it has
 *   finished ending), and its `ready` subscribes as after any reconnection.
 *
 * A client without `on()` (not an ioredis one) is not followed: the unref'd socket alone lets the
 * process end.
 */
export function followClient(client: RedisRouterClientLike, sub: RedisSubscriberLike): () => void {
  /** `sub` was disconnected because the client ended. */
  let endedWithClient = false;
  /** The client is ready again while `sub` has not finished ending. */
  let connectAtEnd = false;
  const reconnect = () => {
    endedWithClient = false;
    connectAtEnd = false;
    try {
      // A failure comes as `error` and `close` events too, which the state's outage follows.
      sub.connect?.().catch(() => {});
    } catch {
      // A subscriber that cannot connect again: the state stays unavailable.
    }
  };
  const onConnect = () => {
    sub.stream?.unref?.();
  };
  const onSubscriberEnd = () => {
    if (connectAtEnd) reconnect();
  };
  const disconnect = () => {
    sub.removeListener('ready', disconnect);
    sub.removeListener('close', disconnect);
    if (!endedWithClient) return;
    try {
      sub.disconnect?.();
    } catch {
      // Already disconnected.
    }
  };
  const onClientEnd = () => {
    endedWithClient = true;
    connectAtEnd = false;
    // Dropped while its socket connects, ioredis keeps a timer that holds the process 2 s (as
    // `quitOnceConnected` says): let the attempt end first, made (`ready`) or failed (`close`).
    if (sub.status === 'connecting' || sub.status === 'connect') {
      sub.on('ready', disconnect);
      sub.on('close', disconnect);
    } else disconnect();
  };
  const onClientReady = () => {
    if (!endedWithClient) return;
    if (sub.status === 'end') reconnect();
    else if (sub.status === 'connecting' || sub.status === 'connect' || sub.status === 'ready') {
      // Back before the subscriber was dropped: it stays.
      endedWithClient = false;
      sub.removeListener('ready', disconnect);
      sub.removeListener('close', disconnect);
    } else connectAtEnd = true;
  };
  sub.on('connect', onConnect);
  sub.on('end', onSubscriberEnd);
  onConnect();
  client.on?.('end', onClientEnd);
  client.on?.('ready', onClientReady);
  return () => {
    sub.removeListener('connect', onConnect);
    sub.removeListener('end', onSubscriberEnd);
    sub.removeListener('ready', disconnect);
    sub.removeListener('close', disconnect);
    client.removeListener?.('end', onClientEnd);
    client.removeListener?.('ready', onClientReady);
  };
}

/**
 * QUIT once a connection still being made is made (or has failed). ioredis 5 dropping, or
 * quitting, a connection before it is ready keeps a timer that holds the process 2 s after
 * `close()` (a script exits in 2,015 ms rather than 18; ioredis 6 holds nothing); `close()`
 * bounds the wait by `commandTimeoutMs`, then drops the connection anyway.
 */
export function quitOnceConnected(sub: RedisSubscriberLike): Promise<unknown> {
  if (sub.status !== 'connecting' && sub.status !== 'connect') return sub.quit();
  return new Promise((resolve, reject) => {
    const settled = () => {
      sub.removeListener('ready', settled);
      sub.removeListener('end', settled);
      if (sub.status === 'ready') sub.quit().then(resolve, reject);
      else resolve(undefined);
    };
    sub.on('ready', settled);
    sub.on('end', settled);
  });
}
