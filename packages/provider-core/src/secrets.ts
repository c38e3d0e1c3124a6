const PLACEHOLDER = '[redacted]';
/** Keys handed out per request by a key callback that are still recognised (bounded memory). */
const RECENT_KEYS = 8;

/** The forms in which a server (or a proxy) may echo a secret back. */
function encodings(secret: string): string[] {
  const forms = [secret];
  const uri = encodeURIComponent(secret);
  if (uri !== secret) forms.push(uri);
  // `+` in a query string.
  const form = uri.replace(/%20/g, '+');
  if (form !== uri) forms.push(form);
  const base64 = Buffer.from(secret, 'utf8').toString('base64');
  forms.push(base64, base64.replace(/=+$/, ''));
  const base64url = Buffer.from(secret, 'utf8').toString('base64url');
  if (base64url !== base64.replace(/=+$/, '')) forms.push(base64url);
  return forms;
}

/** The secret parts of a credential: `Bearer x` → `x`; `Basic b64` → `b64`, `user:pass`, `pass`. */
function parts(value: string): string[] {
  const out = [value];
  const match = /^\s*(Bearer|Basic|Token|ApiKey)\s+(\S+)\s*$/i.exec(value);
  if (match !== null) {
    const token = match[2]!;
    out.push(token);
    if (match[1]!.toLowerCase() === 'basic') {
      const decoded = Buffer.from(token, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon !== -1) out.push(decoded, decoded.slice(colon + 1));
    }
  }
  return out;
}

/** Told that secrets were scrubbed: how many, and from the answer of which endpoint (if known). */
export type ScrubListener = (endpoint: string | undefined, occurrences: number) => void;

/** Replaces every `form` in `text`, counting the replacements into `count.n`. */
function replaceAll(text: string, form: string, count: { n: number }): string {
  if (!text.includes(form)) return text;
  const parts = text.split(form);
  count.n += parts.length - 1;
  return parts.join(PLACEHOLDER);
}

/**
 * Scrubs secrets out of text that came from the outside (a server's error message, a streamed
 * error line) before it reaches an error, an event, a log or stats. It knows every configured
 * secret in the forms a server may echo it (raw, URL-encoded, base64), the bare token of an
 * `Authorization` value, the last keys a key callback handed out, and any `Bearer <token>`.
 * Each scrub is reported to `onScrub` (for the audit trail: how many and where, never what).
 */
export class Redactor {
  readonly #secrets = new Set<string>();
  readonly #recent: string[] = [];
  readonly #onScrub: ScrubListener | undefined;

  constructor(onScrub?: ScrubListener) {
    this.#onScrub = onScrub;
  }

  /** Adds a credential (an API key, a header value such as `Bearer x` or `Basic ...`). */
  add(secret: string): void {
    for (const part of parts(secret)) {
      // Very short values (a header `x-token: 1`) would shred ordinary text.
      if (part.length < 4) continue;
      for (const form of encodings(part)) this.#secrets.add(form);
    }
  }

  /** Remembers a key handed out for one request (bounded: the last few). */
  remember(key: string): void {
    if (key.length < 4 || this.#recent.includes(key)) return;
    this.#recent.push(key);
    if (this.#recent.length > RECENT_KEYS) this.#recent.shift();
  }

  /** `text` with every known secret replaced by `[redacted]`. */
  readonly redact = (text: string): string => this.#scrub(text, undefined, undefined);

  /**
   * {@link redact} without reporting the scrub: for text already scrubbed once (a log entry of an
   * event), where a report would only echo the first one.
   */
  readonly redactQuietly = (text: string): string => this.#scrub(text, undefined, undefined, false);

  /** {@link redact}, reporting a scrub as coming from `endpoint`'s answer. */
  redactAt(text: string, endpoint: string | undefined): string {
    return this.#scrub(text, undefined, endpoint);
  }

  /**
   * The redaction for one request that carried `key` (a key callback may hand out more keys than
   * the recent ones remembered): that key in every form, then everything else. Scrubs are
   * reported as coming from `endpoint`.
   */
  redactFor(key: string | undefined, endpoint?: string): (text: string) => string {
    // A configured key is already known in every form: no per-request work for it.
    const known = key === undefined || key.length === 0 || this.#secrets.has(key);
    if (known && endpoint === undefined) return this.redact;
    const forms = known ? undefined : encodings(key);
    return (text) => this.#scrub(text, forms, endpoint);
  }

  #scrub(
    text: string,
    first: string[] | undefined,
    endpoint: string | undefined,
    report = true,
  ): string {
    const count = { n: 0 };
    let out = text;
    if (first !== undefined) for (const form of first) out = replaceAll(out, form, count);
    for (const secret of this.#secrets) out = replaceAll(out, secret, count);
    for (const key of this.#recent) {
      for (const form of encodings(key)) out = replaceAll(out, form, count);
    }
    out = out.replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{4,}/g, (_match, scheme: string) => {
      count.n++;
      return `${scheme} ${PLACEHOLDER}`;
    });
    if (count.n > 0 && report) this.#onScrub?.(endpoint, count.n);
    return out;
  }
}
