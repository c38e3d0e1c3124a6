import { cutSpans, decodings, spansOutside, type Unescaped } from './text-escapes';

// A server that refuses a request may quote it back: FastAPI's 422 (vLLM, LiteLLM, many
// OpenAI-compatible gateways) puts the whole offending message in `detail[].input`, pydantic's
// own wording shows `input_value='<first 25>...<last 24>'`, other servers quote the prompt in
// "context length exceeded". That text would reach the error's message, and from it events,
// logs, stats and the span's status, which record no prompt text (README). Every run of the
// server's text that is also in the call's own request texts is replaced by `[prompt]`.

export const PROMPT_PLACEHOLDER = '[prompt]';
/**
 * The shortest run taken for an echo. pydantic cuts a long input to two halves of 24 and 25
 * characters, so a run must be shorter than those; a run much shorter would match ordinary error
 * wording that a prompt happens to hold as well (`is not a valid`, `Input should be`).
 */
export const ECHO_MIN = 16;
/**
 * Keys of a request whose strings are sent as content (not the model, not option values). An
 * Ollama `template` is one: it may hold the system prompt written into it. A model create's
 * `license` is not: it is published text (`ollama show` shows it to anyone).
 */
const TEXT_FIELDS = ['prompt', 'suffix', 'system', 'template', 'input', 'instructions'] as const;
/**
 * The most of one server text searched. The search holds every window of it in a table, and a
 * text that reaches it unbounded (a provider's own error, a stream's error line) would take that
 * much memory and time, past V8's largest Map. What lies beyond is cut away, not left unsearched:
 * an echo there would survive. No server text the errors keep is near it (`SERVER_TEXT_MAX`).
 */
export const ECHO_SEARCH_MAX = 64 * 1024;
/** How deep a tool call's arguments are walked (a cycle ends there). */
const DEPTH = 32;
/** A wider prefilter than the hash set: most positions of a large request are told off by it. */
const FILTER_BITS = 16;
const FILTER_MASK = (1 << FILTER_BITS) - 1;
/** The rolling hash's base (odd: a unit modulo 2^32). */
const BASE = 0x01000193;
const BASE_TOP = powerOf(BASE, ECHO_MIN - 1);

function powerOf(base: number, exponent: number): number {
  let out = 1;
  for (let i = 0; i < exponent; i++) out = Math.imul(out, base);
  return out;
}

/**
 * The texts `request` sent as content, whatever the provider's request shape: `prompt`, `suffix`,
 * `system`, `input` (an embedding's, one or several), and of each of `messages` its `content` (a
 * string, or parts with `text`), `thinking`, `refusal`, and the arguments of its tool calls (each
 * string in them, and the whole as JSON) and a custom call's `input`. Texts shorter than
 * {@link ECHO_MIN} are left out: no echo of them is looked for.
 */
export function requestTexts(request: unknown): string[] {
  const out: string[] = [];
  if (typeof request !== 'object' || request === null) return out;
  const fields = request as Record<string, unknown>;
  for (const key of TEXT_FIELDS) stringsIn(fields[key], out, 0);
  const messages = fields.messages;
  if (Array.isArray(messages)) for (const message of messages) messageTexts(message, out);
  return out;
}

function messageTexts(message: unknown, out: string[]): void {
  if (typeof message !== 'object' || message === null) return;
  const { content, thinking, refusal, toolCalls } = message as Record<string, unknown>;
  if (Array.isArray(content)) {
    for (const part of content) {
      text(typeof part === 'string' ? part : (part as { text?: unknown } | null)?.text, out);
    }
  } else text(content, out);
  text(thinking, out);
  text(refusal, out);
  if (!Array.isArray(toolCalls)) return;
  for (const call of toolCalls) {
    if (typeof call !== 'object' || call === null) continue;
    const { arguments: args, rawArguments, input } = call as Record<string, unknown>;
    stringsIn(args, out, 0);
    // sent as JSON text: a server may quote it whole, keys and all
    if (typeof args === 'object' && args !== null) text(safeJson(args), out);
    text(rawArguments, out);
    text(input, out);
  }
}

function safeJson(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

function text(value: unknown, out: string[]): void {
  if (typeof value === 'string' && value.length >= ECHO_MIN) out.push(value);
}

/** Every string in `value` (deep, values not keys). */
function stringsIn(value: unknown, out: string[], depth: number): void {
  if (typeof value === 'string') text(value, out);
  else if (depth >= DEPTH || typeof value !== 'object' || value === null) return;
  else if (Array.isArray(value)) for (const item of value) stringsIn(item, out, depth + 1);
  else for (const key in value) stringsIn((value as Record<string, unknown>)[key], out, depth + 1);
}

/** One text looked through: the server's as it came, or one decoding of its escapes. */
interface View {
  readonly text: string;
  /** The decodings that led to it, outermost first (none for the text itself). */
  readonly levels: readonly Unescaped[];
  /** Which of the server's texts it is a view of. */
  readonly of: number;
  /** Start of each window of the view found in a request text. */
  readonly found: Uint8Array;
}

/** The distinct windows of the views that share one hash, each with where it starts. */
type Bucket = Map<string, { view: View; start: number }[]>;

/** What a search did: the work it took, for tests that show it is linear. */
export interface EchoSearchCount {
  /** Request characters rolled over, and characters compared on a hash hit. */
  steps: number;
}

/**
 * `texts` (a server's, each cut to its first {@link ECHO_SEARCH_MAX} characters) with each run of at least {@link ECHO_MIN} characters that
 * also occurs in one of `sent` (the request's texts, which may be megabytes) replaced by
 * {@link PROMPT_PLACEHOLDER}, as written or once its escapes are decoded (JSON's, Python repr's
 * `\'`, percent-escapes, HTML references: `text-escapes.ts`), once or twice. Overlapping and
 * touching runs become one placeholder. Linear: every window of the server's texts is hashed into
 * a table, and one rolling hash passes once over each request text; a window found is taken out.
 * Unchanged texts are returned as they are.
 */
export function withoutEchoes(
  texts: readonly string[],
  sent: readonly string[],
  count?: EchoSearchCount,
): string[] {
  texts = texts.map((t) => (t.length > ECHO_SEARCH_MAX ? t.slice(0, ECHO_SEARCH_MAX) : t));
  const views = viewsOf(texts);
  const table = new Map<number, Bucket>();
  const filter = new Uint8Array(1 << FILTER_BITS);
  for (const view of views) addWindows(view, table, filter);
  if (table.size > 0) for (const request of sent) if (roll(request, table, filter, count)) break;
  const spans: number[][] = texts.map(() => []);
  for (const view of views) {
    const found = runsOf(view.found);
    if (found.length === 0) continue;
    for (let level = view.levels.length - 1; level >= 0; level--) {
      spansOutside(view.levels[level]!, found);
    }
    spans[view.of]!.push(...found);
  }
  return texts.map((t, i) =>
    spans[i]!.length === 0 ? t : cutSpans(t, spans[i]!, PROMPT_PLACEHOLDER).text,
  );
}

/** Each text, and the decodings of its escapes (`decodings`). */
function viewsOf(texts: readonly string[]): View[] {
  const views: View[] = [];
  texts.forEach((t, of) => {
    views.push(view(t, [], of));
    const levels = decodings(t);
    levels.forEach((level, k) => {
      views.push(view(level.text, levels.slice(0, k + 1), of));
    });
  });
  return views;
}

function view(t: string, levels: Unescaped[], of: number): View {
  return { text: t, levels, of, found: new Uint8Array(Math.max(0, t.length - ECHO_MIN + 1)) };
}

/** The hash of `text`'s {@link ECHO_MIN} characters from `start`. */
function hashAt(text: string, start: number): number {
  let h = 0;
  for (let i = start; i < start + ECHO_MIN; i++) h = (Math.imul(h, BASE) + text.charCodeAt(i)) | 0;
  return h;
}

function addWindows(view: View, table: Map<number, Bucket>, filter: Uint8Array): void {
  const { text: t } = view;
  if (t.length < ECHO_MIN) return;
  let h = hashAt(t, 0);
  for (let start = 0; ; start++) {
    let bucket = table.get(h);
    if (bucket === undefined) {
      bucket = new Map();
      table.set(h, bucket);
    }
    const content = t.slice(start, start + ECHO_MIN);
    const at = bucket.get(content);
    if (at === undefined) bucket.set(content, [{ view, start }]);
    else at.push({ view, start });
    filter[h & FILTER_MASK] = 1;
    if (start + ECHO_MIN >= t.length) return;
    h = next(h, t.charCodeAt(start), t.charCodeAt(start + ECHO_MIN));
  }
}

/** The hash of the window one character on: `out` leaves it, `into` enters it. */
function next(h: number, out: number, into: number): number {
  return (Math.imul(h - Math.imul(out, BASE_TOP), BASE) + into) | 0;
}

/**
 * Rolls over `request`, marking each window of the table it holds (then taken out of the table).
 * True once the table is empty: nothing is left to find in the other request texts.
 */
function roll(
  request: string,
  table: Map<number, Bucket>,
  filter: Uint8Array,
  count: EchoSearchCount | undefined,
): boolean {
  if (request.length < ECHO_MIN) return false;
  let steps = request.length;
  let h = hashAt(request, 0);
  for (let p = 0; ; p++) {
    if (filter[h & FILTER_MASK] === 1) {
      const bucket = table.get(h);
      if (bucket !== undefined) {
        for (const [content, windows] of bucket) {
          steps += ECHO_MIN;
          if (!request.startsWith(content, p)) continue;
          for (const { view, start } of windows) view.found[start] = 1;
          bucket.delete(content);
        }
        if (bucket.size === 0) table.delete(h);
        if (table.size === 0) break;
      }
    }
    if (p + ECHO_MIN >= request.length) break;
    h = next(h, request.charCodeAt(p), request.charCodeAt(p + ECHO_MIN));
  }
  if (count !== undefined) count.steps += steps;
  return table.size === 0;
}

/** The found windows as [start, end) pairs, a run of windows each one character on joined. */
function runsOf(found: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < found.length; i++) {
    if (found[i] === 0) continue;
    const start = i;
    while (found[i + 1] === 1) i++;
    out.push(start, i + ECHO_MIN);
  }
  return out;
}
