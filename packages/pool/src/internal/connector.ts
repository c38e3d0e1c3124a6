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
 * DNS query and every address's connect (and TLS) timeout, then open a socket nobody wants. The
 * callback then runs once the socket being connected is closed, so the slot counts against the
 * caps until the servers see it gone.
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
          let done = false;
          let stop: (() => void) | undefined;
          const socket = (base as unknown as (o: ConnectOptions, cb: ConnectCallback) => Socket)(
            { ...options, hostname: target.address },
            (error, connected) => {
              done = true;
              stop?.();
              if (error) {
                if (signal.aborted) {
                  if (socket.closed) callback(error, null);
                  else socket.once('close', () => callback(error, null));
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
                return;
              }
              if (addresses.length > 1) dns.markHealthy(hostname, target.address);
              onSocket({ socket: connected as Socket, address: target.address, hostname });
              callback(null, connected!);
            },
          );
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
