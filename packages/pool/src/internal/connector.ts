import type { Socket } from 'node:net';
import { onAbort } from '@x/internal';
import { buildConnector } from 'undici';
import type { DnsCache } from './dns-cache';

type ConnectOptions = buildConnector.Options;
type ConnectCallback = buildConnector.Callback;

/** Errors after which the next address is tried, and the refusing address is tried last later. */
const NEXT_ADDRESS_CODES = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
]);

export interface SocketInfo {
  socket: Socket;
  address: string;
  hostname: string;
}

/**
 * Builds an undici `connect` function that resolves the hostname through the DNS cache, then
 * tries each address in turn (rotated per connection), skipping ones that refuse.
 *
 * `signal` abandons the attempt (the request's caller aborted before a socket was there, or the
 * pool was destroyed): undici has no way to cancel a connector, and would otherwise wait out the
 * DNS query and every address's connect (and TLS) timeout, then open a socket nobody wants.
 *
 * A failed socket is waited for until its 'close' before the next address is tried or the
 * callback runs, so its slot counts against the caps until it is really gone: `socket.closed`
 * (and `destroyed`) are true as soon as `destroy()` returns, while 'close' comes when libuv has
 * closed the handle, an event-loop turn later. Node emits 'close' after every `destroy()` (from
 * the handle's close callback, or on the next tick without a handle), so the wait always ends.
 */
export function createConnector(
  dns: DnsCache,
  connectTimeoutMs: number,
  tls: object | undefined,
): (
  options: ConnectOptions,
  callback: ConnectCallback,
  onSocket: (info: SocketInfo) => void,
  signal: AbortSignal,
) => void {
  const base = buildConnector({ ...tls, timeout: connectTimeoutMs });
  return (options, callback, onSocket, signal) => {
    const hostname = options.hostname;
    dns.lookup(hostname, signal).then(
      (addresses) => {
        let index = 0;
        const attempt = (): void => {
          const target = addresses[index++]!;
          // Once the failed socket has closed.
          const failed = (error: Error): void => {
            if (signal.aborted) {
              callback(error, null);
              return;
            }
            const code = (error as NodeJS.ErrnoException).code;
            if (code !== undefined && NEXT_ADDRESS_CODES.has(code)) {
              dns.markFailed(hostname, target.address);
              if (index < addresses.length) {
                attempt();
                return;
              }
            }
            callback(error, null);
          };
          let done = false;
          let closed = false;
          let stop: (() => void) | undefined;
          const socket = (base as unknown as (o: ConnectOptions, cb: ConnectCallback) => Socket)(
            { ...options, hostname: target.address },
            (error, connected) => {
              done = true;
              stop?.();
              if (error) {
                if (closed) failed(error);
                else {
                  socket.once('close', () => failed(error));
                  // An 'error' comes from destroy() already; this one only makes 'close' certain.
                  socket.destroy();
                }
                return;
              }
              if (addresses.length > 1) dns.markHealthy(hostname, target.address);
              onSocket({ socket: connected as Socket, address: target.address, hostname });
              callback(null, connected!);
            },
          );
          socket.once('close', () => {
            closed = true;
          });
          // Its 'error' then ends the attempt above, without trying the next address.
          if (!done) {
            stop = onAbort(signal, () => {
              const reason = signal.reason;
              // Without an error, a destroyed socket emits no 'error' and the attempt never ends.
              socket.destroy(reason instanceof Error ? reason : new Error('Connection abandoned'));
            });
          }
        };
        if (signal.aborted) callback(signal.reason as Error, null);
        else attempt();
      },
      (error: Error) => callback(error, null),
    );
  };
}
