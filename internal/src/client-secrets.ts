import { REDACTED } from './redacted';
import { FOLD_MIN, reversed, SECRET_MIN, secretForms } from './secret-encodings';

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

/** Hex digits and `%xx` escapes of a form, in either case: `%2F` and `%2f` are the same byte. */
function anyCaseHex(form: string, secret: string): string {
  const escaped = escapeRegExp(form);
  // The secret read backwards is no encoding: its letters are the secret's, in its case.
  if (form === secret || form === reversed(secret)) return escaped;
  // An encoded form (not the secret as written): its letters a-f may be hex digits.
  return /^[0-9a-f%:\s-]+$/i.test(form)
    ? escaped.replace(/[a-f]/gi, (c) => `[${c.toLowerCase()}${c.toUpperCase()}]`)
    : escaped.replace(/%([0-9A-F]{2})/g, (_m, hex: string) => `%(?:${hex}|${hex.toLowerCase()})`);
}

/**
 * `text` with each of `secrets` (a client's own password, its user name) replaced by
 * `[redacted]`, in every form of {@link secretForms}. For the text of a driver error, which a
 * hostile or broken server (or a proxy in front of it) may make quote the client's password bare,
 * where the URL redaction (`redactUrlCredentials`) sees no `user:pass@`.
 */
export function redactKnownSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length < SECRET_MIN) continue;
    const pattern = secretForms(secret)
      .map((form) => anyCaseHex(form, secret))
      .join('|');
    out = out.replace(new RegExp(pattern, secret.length >= FOLD_MIN ? 'gi' : 'g'), REDACTED);
  }
  return out;
}

type Options = Record<string, unknown> | undefined;

const asOptions = (value: unknown): Options =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;

/** A connection's password (sentinel's too), and its user name when it has a password. */
function credentialsOf(options: Options, into: Set<string>): void {
  if (options === undefined) return;
  const { password, username, sentinelPassword, sentinelUsername } = options;
  if (typeof password === 'string' && password !== '') {
    into.add(password);
    // Redis' built-in user: its name is public, and hiding it would only garble messages.
    if (typeof username === 'string' && username !== 'default') into.add(username);
  }
  if (typeof sentinelPassword === 'string' && sentinelPassword !== '') {
    into.add(sentinelPassword);
    if (typeof sentinelUsername === 'string' && sentinelUsername !== 'default') {
      into.add(sentinelUsername);
    }
  }
}

/** A cluster's startup node: a URL (`redis://user:pw@host`), a port, or options. */
function startupNodeCredentials(node: unknown, into: Set<string>): void {
  if (typeof node !== 'string') {
    credentialsOf(asOptions(node), into);
    return;
  }
  try {
    const url = new URL(node);
    credentialsOf(
      {
        password: decodeURIComponent(url.password),
        username: decodeURIComponent(url.username),
      },
      into,
    );
  } catch {
    // not a URL (`host:port`): no credentials in it
  }
}

/**
 * The credentials a Redis client connects with, read when an error is reported (a password
 * rotated on the client is the one to hide): an ioredis client's `options`, a Cluster's
 * `redisOptions`, its startup nodes and the clients of its nodes. A client of another shape gives
 * none. Never throws: a getter or `nodes()` that does is skipped.
 */
export function redisClientSecrets(client: unknown): string[] {
  const found = new Set<string>();
  try {
    const options = asOptions((client as { options?: unknown } | null)?.options);
    credentialsOf(options, found);
    credentialsOf(asOptions(options?.redisOptions), found);
    const startupNodes = (client as { startupNodes?: unknown }).startupNodes;
    if (Array.isArray(startupNodes)) {
      for (const node of startupNodes) startupNodeCredentials(node, found);
    }
    const nodes = (client as { nodes?: unknown }).nodes;
    // A Cluster's `nodes(role)`; a plain client has no such method.
    if (typeof nodes === 'function' && Array.isArray(startupNodes)) {
      const list: unknown = nodes.call(client, 'all');
      if (Array.isArray(list)) {
        for (const node of list) {
          credentialsOf(asOptions((node as { options?: unknown } | null)?.options), found);
        }
      }
    }
  } catch {
    // a hostile or odd client: what was read so far
  }
  return [...found];
}
