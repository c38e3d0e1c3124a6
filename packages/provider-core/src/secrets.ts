const PLACEHOLDER = '[redacted]';
/** Keys handed out per request by a key callback that are still recognised (bounded memory). */
const RECENT_KEYS = 8;

/**
 * How many characters of a secret identify it: a piece this long is scrubbed wherever it appears
 * (a server that shows a key's first characters, or cuts it), and the tests' leak check looks for
 * pieces of this length.
 */
const PIECE = 8;

/** A secret's forms: whole ones, scrubbed first, then its pieces. */
interface Forms {
  whole: string[];
  pieces: string[];
}

/**
 * The forms in which a server (or a proxy) may echo a secret back: whole (raw, URL-encoded,
 * base64, base64url, hex), then every piece of {@link PIECE} characters, raw and encoded. The
 * encoded pieces are what finds a secret inside a longer encoded value (`base64("Bearer " +
 * key)`, a Basic credential): there the secret does not start on a 3-byte boundary, so its own
 * base64 is not a substring of the whole's, but every 6 bytes of it that do start on one encode
 * to 8 characters of their own, whichever of the three alignments it sits at.
 */
function encodings(secret: string): Forms {
  const whole = new Set<string>([secret]);
  const uri = encodeURIComponent(secret);
  whole.add(uri);
  // `+` in a query string.
  whole.add(uri.replace(/%20/g, '+'));
  const bytes = Buffer.from(secret, 'utf8');
  const base64 = bytes.toString('base64');
  whole.add(base64);
  whole.add(base64.replace(/=+$/, ''));
  whole.add(bytes.toString('base64url'));
  const hex = bytes.toString('hex');
  whole.add(hex);
  whole.add(hex.toUpperCase());
  const pieces = new Set<string>();
  for (const text of uri === secret ? [secret] : [secret, uri]) {
    for (let i = 0; i + PIECE <= text.length; i++) pieces.add(text.slice(i, i + PIECE));
  }
  for (let i = 0; i + 6 <= bytes.length; i++) {
    const six = bytes.subarray(i, i + 6);
    pieces.add(six.toString('base64'));
    pieces.add(six.toString('base64url'));
  }
  for (let i = 0; i + PIECE / 2 <= bytes.length; i++) {
    const piece = bytes.subarray(i, i + PIECE / 2).toString('hex');
    pieces.add(piece);
    pieces.add(piece.toUpperCase());
  }
  for (const form of whole) pieces.delete(form);
  return { whole: [...whole], pieces: [...pieces] };
}

/**
 * The secret parts of a credential: `Bearer x` → the value and `x`; `Basic b64` → the value, `b64`,
 * `user:pass` and `pass`. Pieces are taken of the secret parts only: the pieces of `Bearer x` would
 * scrub the word `Bearer` out of every message.
 */
function parts(value: string): { text: string; pieces: boolean }[] {
  const match = /^\s*(Bearer|Basic|Token|ApiKey)\s+(\S+)\s*$/i.exec(value);
  if (match === null) return [{ text: value, pieces: true }];
  const token = match[2]!;
  const out = [
    { text: value, pieces: false },
    { text: token, pieces: true },
  ];
  if (match[1]!.toLowerCase() === 'basic') {
    const decoded = Buffer.from(token, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon !== -1) {
      out.push({ text: decoded, pieces: false }, { text: decoded.slice(colon + 1), pieces: true });
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
 * secret in the forms a server may echo it (raw, URL-encoded, base64, hex, whole or any piece of
 * eight characters, also inside a longer encoded value), the bare token of an
 * `Authorization` value, the last keys a key callback handed out, and any `Bearer <token>`.
 * Each scrub is reported to `onScrub` (for the audit trail: how many and where, never what).
 */
export class Redactor {
  /** Every configured secret's whole forms, then their pieces: scrubbed in that order. */
  readonly #whole = new Set<string>();
  readonly #pieces = new Set<string>();
  /** The last keys handed out, each with its forms once a scrub needed them. */
  readonly #recent: { key: string; forms: Forms | undefined }[] = [];
  readonly #onScrub: ScrubListener | undefined;

  constructor(onScrub?: ScrubListener) {
    this.#onScrub = onScrub;
  }

  /** Adds a credential (an API key, a header value such as `Bearer x` or `Basic ...`). */
  add(secret: string): void {
    for (const part of parts(secret)) {
      // Very short values (a header `x-token: 1`) would shred ordinary text.
      if (part.text.length < 4) continue;
      const forms = encodings(part.text);
      for (const form of forms.whole) this.#whole.add(form);
      if (part.pieces) for (const form of forms.pieces) this.#pieces.add(form);
    }
    // a piece that is also a whole form is scrubbed with the whole forms
    for (const form of this.#whole) this.#pieces.delete(form);
  }

  /** Remembers a key handed out for one request (bounded: the last few). */
  remember(key: string): void {
    if (key.length < 4 || this.#recent.some((recent) => recent.key === key)) return;
    this.#recent.push({ key, forms: undefined });
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
    const known = key === undefined || key.length === 0 || this.#whole.has(key);
    if (known && endpoint === undefined) return this.redact;
    // Built on the first scrub (a failure), not per request: a key callback's key is new each time.
    let forms: Forms | undefined;
    return (text) => this.#scrub(text, known ? undefined : (forms ??= encodings(key)), endpoint);
  }

  #scrub(
    text: string,
    first: Forms | undefined,
    endpoint: string | undefined,
    report = true,
  ): string {
    const count = { n: 0 };
    let out = text;
    for (const recent of this.#recent) recent.forms ??= encodings(recent.key);
    // Every whole form before any piece: a piece scrubbed first would cut a whole echo into
    // `[redacted]` and the characters around it.
    if (first !== undefined) for (const form of first.whole) out = replaceAll(out, form, count);
    for (const form of this.#whole) out = replaceAll(out, form, count);
    for (const recent of this.#recent) {
      for (const form of recent.forms!.whole) out = replaceAll(out, form, count);
    }
    if (first !== undefined) for (const form of first.pieces) out = replaceAll(out, form, count);
    for (const form of this.#pieces) out = replaceAll(out, form, count);
    for (const recent of this.#recent) {
      for (const form of recent.forms!.pieces) out = replaceAll(out, form, count);
    }
    out = out.replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{4,}/g, (_match, scheme: string) => {
      count.n++;
      return `${scheme} ${PLACEHOLDER}`;
    });
    if (count.n > 0 && report) this.#onScrub?.(endpoint, count.n);
    return out;
  }
}
