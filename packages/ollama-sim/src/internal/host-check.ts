import { isIP } from 'node:net';
import { hostname } from 'node:os';

// Ollama bound to loopback answers 403 to a Host header that is not local (DNS-rebinding
// protection): loopback, private and unspecified IPs, localhost, the machine's hostname and
// *.localhost / *.local / *.internal pass.

function isPrivateOrLocalIp(host: string): boolean {
  const v = isIP(host);
  if (v === 4) {
    const [a, b] = host.split('.').map(Number) as [number, number];
    return (
      a === 127 ||
      a === 10 ||
      a === 0 ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168)
    );
  }
  if (v === 6) {
    const h = host.toLowerCase();
    return (
      h === '::1' || h === '::' || h.startsWith('fc') || h.startsWith('fd') || h.startsWith('fe80')
    );
  }
  return false;
}

let machine: string | undefined;

export function allowedHost(header: string | undefined): boolean {
  if (header === undefined || header === '') return true;
  let host = header.toLowerCase();
  if (host.startsWith('[')) host = host.slice(1, host.indexOf(']'));
  else {
    const colon = host.lastIndexOf(':');
    if (colon >= 0 && host.indexOf(':') === colon) host = host.slice(0, colon);
  }
  if (isPrivateOrLocalIp(host)) return true;
  if (host === 'localhost') return true;
  machine ??= hostname().toLowerCase();
  if (host === machine) return true;
  return host.endsWith('.localhost') || host.endsWith('.local') || host.endsWith('.internal');
}

export function isLoopbackBind(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
