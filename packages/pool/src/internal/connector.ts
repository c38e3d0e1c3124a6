import type { Socket } from 'node:net';
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
 */
export function createConnector(
  dns: DnsCache,
  connectTimeoutMs: number,
  tls: object | undefined,
): (
  options: ConnectOptions,
  callback: ConnectCallback,
  onSocket: (info: SocketInfo) => void,
) => void {
  const base = buildConnector({ ...tls, timeout: connectTimeoutMs });
  return (options, callback, onSocket) => {
    const hostname = options.hostname;
    dns.lookup(hostname).then(
      (addresses) => {
        let index = 0;
        const attempt = (): void => {
          const target = addresses[index++]!;
          base({ ...options, hostname: target.address }, (error, socket) => {
            if (error) {
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
            onSocket({ socket: socket as Socket, address: target.address, hostname });
            callback(null, socket);
          });
        };
        attempt();
      },
      (error: Error) => callback(error, null),
    );
  };
}
