import { isIPv6 } from 'node:net';
import { displayUrl, fail } from '@x/internal';

/**
 * A scheme written with a typo (`http//h`, `http:/h`): not a missing scheme, so no URL is guessed
 * for it (prefixing one would make `http` a host name).
 */
const SCHEME_TYPO = /^https?(?::[/\\]|[/\\]{2})/i;

/** `host:port` with the path after it: what WHATWG parsing reads as the scheme `host:`. */
const HOST_AND_PORT = /^[a-z][a-z0-9+.-]*:\d+(?:[/?#]|$)/i;

/**
 * A host of this machine or a private network, where an OpenAI-compatible server (Ollama's `/v1`,
 * vLLM, LM Studio, a container's `vllm:8000`) speaks plain http: loopback, RFC 1918, link-local,
 * carrier-grade NAT (Tailscale), IPv6 unique-local and link-local, and a single-label name (a
 * container's or an intranet's).
 */
function isLocalHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host.startsWith('[')) {
    const v6 = host.slice(1, -1);
    return v6 === '::1' || v6 === '::' || /^f[cd]/.test(v6) || /^fe[89ab]/.test(v6);
  }
  const v4 = /^(\d+)\.(\d+)\.\d+\.\d+$/.exec(host);
  if (v4 === null) return !host.includes('.');
  const a = Number(v4[1]);
  const b = Number(v4[2]);
  return (
    a === 127 ||
    a === 10 ||
    a === 0 ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 100 && b >= 64 && b <= 127)
  );
}

/**
 * The URL a base URL written without its scheme (`localhost:8000/v1`, `api.groq.com/openai/v1`)
 * was meant to be, for its error to show; `undefined` when `text` is not such a URL. Never used
 * as the address: an OpenAI-compatible server is often remote, and guessing `http://` for one
 * would send the key in clear. So the guess is `http://` only for a local or private host,
 * `https://` otherwise.
 */
function withGuessedScheme(text: string): string | undefined {
  if (text.includes('://') || SCHEME_TYPO.test(text)) return undefined;
  let parsesAsUrl = true;
  try {
    new URL(text);
  } catch {
    parsesAsUrl = false;
  }
  // Another scheme (`mailto:`, `file:`) is refused as one; `localhost:8000` is a host and a port.
  if (parsesAsUrl && !HOST_AND_PORT.test(text)) return undefined;
  const cut = text.search(/[/?#]/);
  const authority = cut === -1 ? text : text.slice(0, cut);
  // A bare IPv6 address (`::1`) needs its brackets in a URL.
  const written = isIPv6(authority) ? `[${authority}]${cut === -1 ? '' : text.slice(cut)}` : text;
  let host: string;
  try {
    host = new URL(`http://${written}`).hostname;
  } catch {
    return undefined;
  }
  if (host === '') return undefined;
  return `${isLocalHost(host) ? 'http' : 'https'}://${written}`;
}

/**
 * Refuses a base URL written without its scheme, showing it with the scheme it most likely needs
 * (a `RangeError` naming `name`; `shown` is the value as an error may show it). Without this, URL
 * parsing reads `localhost:` as a scheme and the error would not say what to write.
 */
export function refuseMissingScheme(name: string, text: string, shown: string): void {
  const guessed = withGuessedScheme(text);
  if (guessed === undefined) return;
  const use = JSON.stringify(displayUrl(guessed));
  fail(name, `an http: or https: URL: add the scheme, ${use}`, shown, true);
}
