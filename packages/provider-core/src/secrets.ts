import { FOLD_MIN, REDACTED, SECRET_MIN } from '@x/internal';
import { disguises } from './secret-disguises';
import { FormIndex } from './secret-form-index';
import { encodings, Forms, inText, parts, type SearchView, searchable } from './secret-forms';
import { cutSpans, decodings, spansOutside } from './text-escapes';

/** Texts found to hold no secret, remembered so that a model name is checked once (bounded). */
const CLEAN_MEMO = 1024;
/**
 * The longest text a scrub remembers finding clean: an answer's model or finish reason, scrubbed
 * on every call (and the same on most), not a megabyte a server sent once.
 */
const MEMO_TEXT = 1024;
/** Keys handed out per request by a key callback that are still recognised (bounded memory). */
const RECENT_KEYS = 8;

/**
 * A credential after its scheme, known or not, when it looks like one: 8 characters or more,
 * holding a digit or a token character. Not an English word (`the bearer token is missing`,
 * `Basic plan users`) nor a challenge's `realm=`.
 */
const BEARER_OR_BASIC = /\b(bearer|basic)(\s+)([A-Za-z0-9._~+/=-]{8,})/gi;
const TOKEN_LIKE = /[0-9._~+/=-]/;

/**
 * Where a set of secrets' forms is indexed: as written, and case-folded (long secrets). A secret's
 * forms are looked for unwrapped (secret-forms.ts `Forms`), and case-folded for a long secret.
 */
class Indexes {
  readonly exact = new FormIndex();
  readonly folded = new FormIndex();

  /** Indexes `secret`'s forms (its pieces too, with `pieces`); false when it is too short. */
  add(secret: string, pieces: boolean): boolean {
    if (secret.length < SECRET_MIN) return false;
    const fold = secret.length >= FOLD_MIN;
    const forms = new Forms(fold, fold ? this.folded : this.exact);
    encodings(secret, pieces, forms);
    disguises(secret, pieces, forms);
    return true;
  }

  /** Searches `other`'s indexes too, in the same pass (`other` is complete). */
  addIndexes(other: Indexes): void {
    // An empty one (the exact index of a long key) would only be looked at for nothing.
    if (other.exact.size > 0) this.exact.addIndex(other.exact);
    if (other.folded.size > 0) this.folded.addIndex(other.folded);
  }

  find(view: SearchView, found: number[]): void {
    if (this.exact.size > 0) this.exact.find(view.exact, found);
    this.findLong(view, found);
  }

  /** {@link find} for the long secrets' forms alone (what {@link Redactor.holdsSecret} counts). */
  findLong(view: SearchView, found: number[]): void {
    if (this.folded.size > 0) this.folded.find(view.folded, found);
  }
}

/**
 * True when `value` (a header's) holds a credential of 1 to {@link SECRET_MIN} - 1 characters:
 * the whole value, or the token of `Bearer <token>`, or the password of a Basic credential. Such
 * a credential cannot be scrubbed from server text without shredding it (`1`, `abc` are in every
 * other message), so it would show wherever a server echoed it. A blank value holds nothing.
 */
export function tooShortToScrub(value: string): boolean {
  return parts(value).some(
    ({ text, pieces }) => pieces && text.length < SECRET_MIN && text.trim() !== '',
  );
}

/** Told that secrets were scrubbed: how many, and from the answer of which endpoint (if known). */
export type ScrubListener = (endpoint: string | undefined, occurrences: number) => void;

/** The scrubs of one request's redaction ({@link Redactor.redactFor}) while its answer is read. */
interface Gathered {
  gathering: boolean;
  occurrences: number;
  /** Tells the total, once, when the answer's attempt ends. */
  tell: (occurrences: number) => void;
}

/**
 * What a redaction carries besides being one: a request's gathering of its scrubs, and the twin
 * that leaves the clean-text memo alone ({@link redactOnce}). Kept on the function itself, under
 * symbols: one is made per request, and a WeakMap entry each (an ephemeron the collector has to
 * walk) cost more than the rest of a successful answer's scrub.
 */
const GATHERED = Symbol('gathered');
const ONCE = Symbol('once');
interface Redaction {
  (text: string): string;
  [GATHERED]?: Gathered | undefined;
  [ONCE]?: ((text: string) => string) | undefined;
}

/**
 * From now until {@link tellScrubs}, the scrubs of `redact` (a request's, from
 * {@link Redactor.redactFor}) are added up instead of told one by one: one answer has several
 * fields a server may echo a key into (a request id header, an error's message, type, code and
 * param), and each told apart would be one audit event and one warning line for the same echo.
 * Any other redaction is left as it is.
 */
export function gatherScrubs(redact: (text: string) => string): void {
  const gathered = (redact as Redaction)[GATHERED];
  if (gathered !== undefined) gathered.gathering = true;
}

/**
 * Tells what `redact` scrubbed since {@link gatherScrubs}, as one total (nothing when nothing was
 * scrubbed); later scrubs are told as they happen, so none is lost when no attempt gathers them
 * (a partial answer scrubbed after the attempt ended).
 */
export function tellScrubs(redact: (text: string) => string): void {
  const gathered = (redact as Redaction)[GATHERED];
  if (gathered === undefined) return;
  gathered.gathering = false;
  const { occurrences } = gathered;
  gathered.occurrences = 0;
  if (occurrences > 0) gathered.tell(occurrences);
}

/**
 * `redact(text)`, the same result and the same report, but a clean `text` is not remembered as
 * clean: for a text each answer words anew (its `id`, a tool call's id, Ollama's `created_at`),
 * which no later scrub will look up, and which would push the texts that are looked up (a model's
 * name, on every call) out of the bounded memo. A redaction not made by a `Redactor` is
 * called as it is.
 */
export function redactOnce(redact: (text: string) => string, text: string): string {
  return ((redact as Redaction)[ONCE] ?? redact)(text);
}

/**
 * Scrubs secrets out of text that came from the outside (a server's error message, a streamed
 * error line, a failed call's partial answer) before it reaches an error, an event, a log or
 * stats. It knows every configured secret in the forms a server may echo it (raw, URL-encoded,
 * base64, hex, whole or any piece of eight characters, also inside a longer encoded value or
 * wrapped across lines or split by invisible characters; a long one in any case; any of its
 * characters escaped (JSON, percent, HTML references, hex bytes apart), once or twice:
 * `text-escapes.ts`), or disguised on purpose (spaced out, reversed, rotated, fullwidth, base64 of
 * its UTF-16 bytes or of its base64: `secret-disguises.ts`), the bare token of an `Authorization`
 * value, the last keys a key callback handed out, and any token-like `Bearer <token>`. All forms
 * are found in one pass over the text (and one over each decoding of its escapes, when it has
 * any), and each run of overlapping finds becomes one `[redacted]`. Each scrub is reported to
 * `onScrub` (for the audit trail: how many and where, never what).
 */
export class Redactor {
  /** The configured secrets' forms. */
  readonly #configured = new Indexes();
  /** The configured secrets themselves (a key callback's key equal to one needs no forms). */
  readonly #known = new Set<string>();
  /** The last keys handed out; their forms indexed on the next scrub after a change. */
  readonly #recent: string[] = [];
  #recentIndexes: Indexes | undefined;
  /**
   * Each recent key's own index, kept while it is recent: the index of the recent keys is built
   * again whenever a key callback hands out a new key (an index cannot forget one), and working
   * out a key's forms is most of that cost; merging the indexes kept is a small part.
   */
  readonly #recentOwn = new Map<string, Indexes>();
  readonly #onScrub: ScrubListener | undefined;
  /** Texts {@link holdsSecret} found clean; emptied when a secret is added or remembered. */
  readonly #clean = new Set<string>();
  /**
   * Short texts a scrub found nothing in, with the secrets known now (configured and recent: no
   * call's own index); emptied when a secret is added or remembered. Building the forms of the
   * recent keys again costs milliseconds.
   */
  readonly #scrubbedClean = new Set<string>();

  constructor(onScrub?: ScrubListener) {
    this.#onScrub = onScrub;
    (this.redact as Redaction)[ONCE] = (text) =>
      this.#scrub(text, undefined, undefined, true, undefined, false);
    const gathered: Gathered = {
      gathering: false,
      occurrences: 0,
      tell: (occurrences) => this.#onScrub?.(undefined, occurrences),
    };
    const known: Redaction = (text) =>
      this.#scrub(text, undefined, undefined, true, gathered, false, false);
    known[GATHERED] = gathered;
    this.redactKnown = known;
  }

  /** True once a credential was added (a key callback's keys are remembered later, by call). */
  get knowsSecrets(): boolean {
    return this.#known.size > 0;
  }

  /** Adds a credential (an API key, a header value such as `Bearer x` or `Basic ...`). */
  add(secret: string): void {
    this.#clean.clear();
    this.#scrubbedClean.clear();
    this.#known.add(secret);
    for (const part of parts(secret)) this.#configured.add(part.text, part.pieces);
  }

  /**
   * True when a scrub of `text` would redact a known secret in it, short ones left out: a long
   * secret (configured, or a key handed out lately) in any of the forms a scrub finds (any case,
   * base64, base64url, hex, escaped, a piece of it, split by invisible characters or NULs...):
   * for a name that goes into stats, metrics, spans and logs as it is (a request's `model`, a
   * provider's `name`: a key pasted into the wrong field, or encoded on its way there). One rule
   * with the scrub, so a name is refused exactly when the text around it would show that secret
   * `[redacted]` in its place. Short secrets are left out (a key such as `test` is in
   * `llama3.2:latest`), and so is an unknown `Bearer <token>`, which each label's own check of
   * credential shapes refuses. Each text is checked once, in a bounded memo: a provider names the
   * same few models call after call.
   */
  holdsSecret(text: string): boolean {
    if (this.#clean.has(text)) return false;
    if (this.#redactsLong(text)) return true;
    if (this.#clean.size >= CLEAN_MEMO) this.#clean.clear();
    this.#clean.add(text);
    return false;
  }

  /** The search of {@link #scrub}, for long secrets only: found or not. */
  #redactsLong(text: string): boolean {
    const found: number[] = [];
    const search = (inner: string): boolean => {
      const view = searchable(inner);
      this.#configured.findLong(view, found);
      if (this.#recent.length > 0) {
        if (this.#recentIndexes === undefined) this.#recentIndexes = this.#indexRecent();
        this.#recentIndexes.findLong(view, found);
      }
      return found.length > 0;
    };
    if (search(text)) return true;
    for (const level of decodings(text)) if (search(level.text)) return true;
    return false;
  }

  /** Remembers a key handed out for one request (bounded: the last few). */
  remember(key: string): void {
    if (key.length < SECRET_MIN || this.#known.has(key) || this.#recent.includes(key)) return;
    this.#recent.push(key);
    if (this.#recent.length > RECENT_KEYS) this.#recent.shift();
    this.#recentIndexes = undefined;
    this.#clean.clear();
    this.#scrubbedClean.clear();
  }

  /** `text` with every known secret replaced by `[redacted]`. */
  readonly redact = (text: string): string => this.#scrub(text, undefined, undefined);

  /**
   * The known secrets (configured, and the keys handed out lately) scrubbed out of `text` in every
   * form, but not an unknown `Bearer <token>`, and a clean text not remembered: for an answer's
   * own texts as the cache stores them (`stages/stored-answer.ts`), which may quote an example
   * token on purpose, and which no later scrub looks up. Its scrubs can be gathered
   * ({@link gatherScrubs}): one report for all the texts of an answer.
   */
  readonly redactKnown: (text: string) => string;

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
    const known = key === undefined || key.length < SECRET_MIN || this.#known.has(key);
    if (known && endpoint === undefined) return this.redact;
    // Built on the first scrub (a failure), not per request: a key callback's key is new each time.
    let own: Indexes | undefined;
    const ownIndexes = (): Indexes => {
      if (own === undefined) {
        own = new Indexes();
        own.add(key!, true);
      }
      return own;
    };
    const gathered: Gathered = {
      gathering: false,
      occurrences: 0,
      tell: (occurrences) => this.#onScrub?.(endpoint, occurrences),
    };
    // A key still among the recent ones is in their index: no index of its own to build.
    const first = () => (known || this.#recent.includes(key!) ? undefined : ownIndexes());
    const redact: Redaction = (text) => this.#scrub(text, first(), endpoint, true, gathered);
    redact[GATHERED] = gathered;
    redact[ONCE] = (text) => this.#scrub(text, first(), endpoint, true, gathered, false);
    return redact;
  }

  /** The index of the recent keys, from the index kept of each (built for the new ones). */
  #indexRecent(): Indexes {
    const indexes = new Indexes();
    for (const key of this.#recent) {
      let own = this.#recentOwn.get(key);
      if (own === undefined) {
        own = new Indexes();
        own.add(key, true);
        this.#recentOwn.set(key, own);
      }
      indexes.addIndexes(own);
    }
    for (const key of this.#recentOwn.keys()) {
      if (!this.#recent.includes(key)) this.#recentOwn.delete(key);
    }
    return indexes;
  }

  /** The spans of `text` (as [start, end) pairs) where a known secret is, in any form. */
  #find(text: string, first: Indexes | undefined): number[] {
    const view = searchable(text);
    const found: number[] = [];
    first?.find(view, found);
    this.#configured.find(view, found);
    if (this.#recent.length > 0) {
      if (this.#recentIndexes === undefined) this.#recentIndexes = this.#indexRecent();
      this.#recentIndexes.find(view, found);
    }
    return found.length === 0 ? found : inText(view, found);
  }

  #scrub(
    text: string,
    first: Indexes | undefined,
    endpoint: string | undefined,
    report = true,
    gathered?: Gathered,
    // False for a text no later scrub looks up ({@link redactOnce}): found clean, it is not kept.
    remember = true,
    // False for the known secrets only ({@link redactKnown}).
    bearer = true,
  ): string {
    const memo = first === undefined && text.length <= MEMO_TEXT;
    if (memo && this.#scrubbedClean.has(text)) return text;
    const found = this.#find(text, first);
    // The text with its escapes decoded, and decoded again (JSON quoted in a JSON string, a URL
    // encoded twice): a secret escaped in part or whole is found there as written.
    const levels = decodings(text);
    for (let k = 0; k < levels.length; k++) {
      const spans = this.#find(levels[k]!.text, first);
      for (let level = k; level >= 0; level--) spansOutside(levels[level]!, spans);
      for (const at of spans) found.push(at);
    }
    let count = 0;
    let out = text;
    if (found.length > 0) ({ text: out, runs: count } = cutSpans(text, found, REDACTED));
    if (bearer) {
      out = out.replace(
        BEARER_OR_BASIC,
        (match: string, scheme: string, space: string, token: string) => {
          if (!TOKEN_LIKE.test(token)) return match;
          count++;
          return `${scheme}${space}${REDACTED}`;
        },
      );
    }
    if (count > 0 && report) {
      if (gathered?.gathering === true) gathered.occurrences += count;
      else this.#onScrub?.(endpoint, count);
    }
    if (memo && remember && count === 0) {
      if (this.#scrubbedClean.size >= CLEAN_MEMO) this.#scrubbedClean.clear();
      this.#scrubbedClean.add(text);
    }
    return out;
  }
}
