const PLACEHOLDER = '[redacted]';
/** Texts found to hold no secret, remembered so that a model name is checked once (bounded). */
const CLEAN_MEMO = 1024;
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
 * ASCII letters lower-cased, nothing else: the same length as `text`, so an index found in it is
 * an index in `text` (`toLowerCase()` may lengthen a string: `İ` becomes two characters).
 */
const foldCase = (text: string): string => text.replace(/[A-Z]+/g, (run) => run.toLowerCase());

/** Every byte as `%xx`: a proxy or a logger that escapes all of a value, not only what it must. */
const percentEveryByte = (bytes: Buffer): string =>
  Array.from(bytes, (byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');

/**
 * The forms in which a server (or a proxy) may echo a secret back: whole (raw, URL-encoded, every
 * byte percent-encoded, base64, base64url, hex), then every piece of {@link PIECE} characters, raw
 * and encoded. The encoded pieces are what finds a secret inside a longer encoded value
 * (`base64("Bearer " + key)`, a Basic credential): there the secret does not start on a 3-byte
 * boundary, so its own base64 is not a substring of the whole's, but every 6 bytes of it that do
 * start on one encode to 8 characters of their own, whichever of the three alignments it sits at.
 * Forms are case-folded: they are searched in case-folded text.
 */
function encodings(secret: string): Forms {
  const whole = new Set<string>([secret]);
  const uri = encodeURIComponent(secret);
  whole.add(uri);
  // `+` in a query string.
  whole.add(uri.replace(/%20/g, '+'));
  const bytes = Buffer.from(secret, 'utf8');
  whole.add(percentEveryByte(bytes));
  const base64 = bytes.toString('base64');
  whole.add(base64);
  whole.add(base64.replace(/=+$/, ''));
  whole.add(bytes.toString('base64url'));
  whole.add(bytes.toString('hex'));
  const pieces = new Set<string>();
  for (const text of uri === secret ? [secret] : [secret, uri]) {
    for (let i = 0; i + PIECE <= text.length; i++) pieces.add(text.slice(i, i + PIECE));
  }
  for (let i = 0; i + PIECE <= bytes.length; i++) {
    pieces.add(percentEveryByte(bytes.subarray(i, i + PIECE)));
  }
  for (let i = 0; i + 6 <= bytes.length; i++) {
    const six = bytes.subarray(i, i + 6);
    pieces.add(six.toString('base64'));
    pieces.add(six.toString('base64url'));
  }
  for (let i = 0; i + PIECE / 2 <= bytes.length; i++) {
    pieces.add(bytes.subarray(i, i + PIECE / 2).toString('hex'));
  }
  const folded = { whole: new Set([...whole].map(foldCase)), pieces: new Set<string>() };
  for (const piece of pieces) {
    const form = foldCase(piece);
    if (!folded.whole.has(form)) folded.pieces.add(form);
  }
  return { whole: [...folded.whole], pieces: [...folded.pieces] };
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

/** Any credential after its scheme, known or not. */
const BEARER_OR_BASIC = /\b([Bb]earer|BEARER|Basic|BASIC)\s+[A-Za-z0-9._~+/=-]{4,}/g;

/** Told that secrets were scrubbed: how many, and from the answer of which endpoint (if known). */
export type ScrubListener = (endpoint: string | undefined, occurrences: number) => void;

/**
 * Where secrets are looked for: `text` case-folded and without its line breaks (a base64 block
 * wrapped at any width, a key cut across lines), with what maps an index in it back to `text`:
 * the positions the breaks were taken from, in `text` (a partial answer can be megabytes of
 * markdown; one number per line break, not per character).
 */
interface SearchView {
  readonly folded: string;
  /** For the j-th break taken out: its index in `text` minus j (its index in `folded`). */
  readonly breaks: number[];
}

function searchable(text: string): SearchView {
  const folded = foldCase(text);
  const breaks: number[] = [];
  const pattern = /[\r\n]/g;
  for (let m = pattern.exec(folded); m !== null; m = pattern.exec(folded)) {
    breaks.push(m.index - breaks.length);
  }
  return { folded: breaks.length === 0 ? folded : folded.replace(pattern, ''), breaks };
}

/** The index in `text` of the character at `i` in the view. */
function original(view: SearchView, i: number): number {
  const { breaks } = view;
  // breaks taken out before it: those whose place in the view is at or before `i`
  let low = 0;
  let high = breaks.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (breaks[mid]! <= i) low = mid + 1;
    else high = mid;
  }
  return i + low;
}

/** Adds to `found` the spans of `text` (as [start, end) pairs) where `form` occurs in `view`. */
function find(view: SearchView, form: string, found: number[]): void {
  const { folded, breaks } = view;
  for (let i = folded.indexOf(form); i !== -1; i = folded.indexOf(form, i + 1)) {
    const end = i + form.length;
    if (breaks.length === 0) found.push(i, end);
    else found.push(original(view, i), original(view, end - 1) + 1);
  }
}

/** `text` with each run of overlapping or touching spans replaced by one placeholder. */
function cut(text: string, found: number[]): { text: string; runs: number } {
  const spans: [number, number][] = [];
  for (let i = 0; i < found.length; i += 2) spans.push([found[i]!, found[i + 1]!]);
  spans.sort((a, b) => a[0] - b[0]);
  let out = '';
  let from = 0;
  let runs = 0;
  for (let i = 0; i < spans.length; ) {
    const start = spans[i]![0];
    let end = spans[i]![1];
    for (i++; i < spans.length && spans[i]![0] <= end; i++) end = Math.max(end, spans[i]![1]);
    out += text.slice(from, start) + PLACEHOLDER;
    from = end;
    runs++;
  }
  return { text: out + text.slice(from), runs };
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
  /** Texts {@link holdsSecret} found clean; emptied when a secret is added. */
  readonly #clean = new Set<string>();

  constructor(onScrub?: ScrubListener) {
    this.#onScrub = onScrub;
  }

  /** Adds a credential (an API key, a header value such as `Bearer x` or `Basic ...`). */
  add(secret: string): void {
    this.#clean.clear();
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

  /**
   * True when `text` holds a configured secret, in any form: for a name that goes into stats,
   * metrics, spans and logs as it is (a request's `model`, a key pasted where the model goes).
   * Each text is checked once (a few model names, over and over), in a bounded memo.
   */
  holdsSecret(text: string): boolean {
    if (this.#clean.has(text)) return false;
    if (this.#scrub(text, undefined, undefined, false) !== text) return true;
    if (this.#clean.size >= CLEAN_MEMO) this.#clean.clear();
    this.#clean.add(text);
    return false;
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
    const known = key === undefined || key.length === 0 || this.#whole.has(foldCase(key));
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
    for (const recent of this.#recent) recent.forms ??= encodings(recent.key);
    // Every span of every form is found in the text as it came, then each run of overlapping
    // spans becomes one placeholder: a piece scrubbed before a whole form would otherwise cut a
    // whole echo into `[redacted]` and the characters around it.
    const view = searchable(text);
    const found: number[] = [];
    for (const forms of [first, ...this.#recent.map((recent) => recent.forms)]) {
      if (forms === undefined) continue;
      for (const form of forms.whole) find(view, form, found);
      for (const form of forms.pieces) find(view, form, found);
    }
    for (const form of this.#whole) find(view, form, found);
    for (const form of this.#pieces) find(view, form, found);
    let count = 0;
    let out = text;
    if (found.length > 0) ({ text: out, runs: count } = cut(text, found));
    // `bearer` in any case; `Basic` only as a scheme is written, not the English word
    out = out.replace(BEARER_OR_BASIC, (_match, scheme: string) => {
      count++;
      return `${scheme} ${PLACEHOLDER}`;
    });
    if (count > 0 && report) this.#onScrub?.(endpoint, count);
    return out;
  }
}
