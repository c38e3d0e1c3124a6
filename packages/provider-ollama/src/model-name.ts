import { BoundedMap, fail, hideSecretShapes, isBlank, quoted } from '@x/internal';

// Ollama's own grammar of model names (types/model/name.go, internal/modelref), checked before
// anything is sent: a name it cannot parse is answered `400 invalid model name` by some endpoints,
// and by others as a model that is not found (`push`), after `complete()` has already asked
// `/api/ps` and `/api/show` about it. Checked as the server reads it, never more strictly.

/**
 * How an endpoint reads the name:
 * - `ref`: a `:cloud`/`:local` source suffix is taken off first (chat, generate, embed, show,
 *   create's `from`: `parseAndValidateModelRef`);
 * - `pull`: as `ref`, and a `:cloud` one is put back as the tag (`-cloud` after a tag) before the
 *   name is parsed (pull and delete: `parseNormalizePullModelRef`);
 * - `plain`: as written (push, copy, create's `model`: `model.ParseName`).
 */
export type NameReading = 'ref' | 'pull' | 'plain';

/** cutPromised's marker of a part promised by a separator and left empty: never a valid part. */
const MISSING = '!MISSING!';

type Part = 'host' | 'namespace' | 'model' | 'tag' | 'digest';

/** isValidPart: a first character of `[A-Za-z0-9_]`, the rest of those and the part's extras. */
const PARTS: Readonly<Record<Part, RegExp>> = {
  host: /^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,349}$/,
  namespace: /^[A-Za-z0-9_][A-Za-z0-9_-]{0,79}$/,
  model: /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,79}$/,
  tag: /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,79}$/,
  // Only Ollama 0.1.39 to 0.1.48 read a `@digest` (removed in 0.1.49, ollama#5500).
  digest: /^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,79}$/,
};

/** What each part may hold, for the message. */
const PART_RULES: Readonly<Record<Part, string>> = {
  host: 'letters, digits, `_`, `-`, `.` and `:` (1 to 350)',
  namespace: 'letters, digits, `_` and `-` (1 to 80)',
  model: 'letters, digits, `_`, `-` and `.` (1 to 80)',
  tag: 'letters, digits, `_`, `-` and `.` (1 to 80)',
  digest: 'letters, digits, `_`, `-`, `.` and `:` (1 to 80)',
};

/** strings.Cut at the last `sep`, an empty side given as {@link MISSING}. */
function cutPromised(s: string, sep: string): [string, string] | undefined {
  const at = s.lastIndexOf(sep);
  if (at === -1) return undefined;
  return [s.slice(0, at) || MISSING, s.slice(at + sep.length) || MISSING];
}

/**
 * ParseName and IsValid: the first part that is not valid (with defaults for the host, namespace
 * and tag left out), or undefined for a valid name. `digest` reads a trailing `@digest` as the
 * servers of 0.1.39 to 0.1.48 did.
 */
function invalidPart(name: string, digest: boolean): [Part, string] | undefined {
  let s = name;
  if (digest) {
    const cut = s.lastIndexOf('@');
    if (cut !== -1) {
      const d = s.slice(cut + 1) || MISSING;
      if (!PARTS.digest.test(d)) return ['digest', d];
      s = s.slice(0, cut);
    }
  }
  let tag = 'latest';
  // "/" is not a tag character: a ":" after the last "/" starts the tag, one before is a port.
  if (s.lastIndexOf(':') > s.lastIndexOf('/')) [s, tag] = cutPromised(s, ':') as [string, string];
  let namespace = 'library';
  let host = 'registry.ollama.ai';
  const model = cutPromised(s, '/');
  if (model !== undefined) {
    s = model[0];
    const ns = cutPromised(s, '/');
    if (ns === undefined) namespace = s;
    else {
      namespace = ns[1];
      const scheme = ns[0].indexOf('://');
      host = scheme === -1 ? ns[0] : ns[0].slice(scheme + 3);
    }
  }
  const parts: [Part, string][] = [
    ['host', host],
    ['namespace', namespace],
    ['model', model === undefined ? s : model[1]],
    ['tag', tag],
  ];
  return parts.find(([part, text]) => !PARTS[part].test(text));
}

/** parseSourceSuffix: the name without a `:cloud`/`:local` suffix, and whether it had one. */
function sourceSuffix(raw: string): { base: string; cloud: boolean; explicit: boolean } {
  const at = raw.lastIndexOf(':');
  if (at !== -1) {
    const suffixRaw = raw.slice(at + 1).trim();
    const suffix = suffixRaw.toLowerCase();
    if (suffix === 'cloud' || suffix === 'local') {
      return { base: raw.slice(0, at), cloud: suffix === 'cloud', explicit: true };
    }
    if (!suffixRaw.includes('/') && suffix.endsWith('-cloud')) {
      return { base: raw.slice(0, at + 1) + suffixRaw.slice(0, -6), cloud: true, explicit: true };
    }
  }
  return { base: raw, cloud: false, explicit: false };
}

/**
 * A model name the server can parse, read as the endpoint reads it (`reading`): else a
 * `RangeError` naming `field` and the part that is wrong. Call it on a non-blank string.
 */
export function expectOllamaName(field: string, value: string, reading: NameReading): void {
  const known = VALID_NAMES[reading];
  if (known.has(value)) return;
  checkOllamaName(field, value, reading);
  // Only a name that passed: a bad one is refused again on every call.
  known.set(value, true);
}

/**
 * Names already found valid, per reading: a provider sends the same few models call after call,
 * and reading a name (cuts, slices, a regular expression per part) cost more than a lookup.
 * Bounded (the oldest forgotten first), so a caller cycling through names only reads them again.
 */
const MAX_KNOWN_NAMES = 256;
const VALID_NAMES: Readonly<Record<NameReading, BoundedMap<string, true>>> = {
  ref: new BoundedMap(MAX_KNOWN_NAMES),
  pull: new BoundedMap(MAX_KNOWN_NAMES),
  plain: new BoundedMap(MAX_KNOWN_NAMES),
};

function checkOllamaName(field: string, value: string, reading: NameReading): void {
  let name = value;
  if (reading !== 'plain') {
    // modelref.ParseRef trims the name before reading its suffix.
    const ref = sourceSuffix(value.trim());
    if (ref.explicit && sourceSuffix(ref.base).explicit) {
      fail(
        field,
        'a model name with one source suffix (`:cloud` or `:local`, not both)',
        value,
        true,
      );
    }
    name = ref.base;
    // NormalizePullName: a cloud model is pulled by its legacy name, the suffix as (part of) its tag.
    if (reading === 'pull' && ref.cloud) {
      const tagged = name.lastIndexOf(':') > name.lastIndexOf('/');
      name = tagged ? `${name}-cloud` : `${name}:cloud`;
    }
  }
  const wrong = invalidPart(name, false);
  if (wrong === undefined || invalidPart(name, true) === undefined) return;
  const [part, text] = wrong;
  // The part is shown as the value after `got` is (`describe`): without what looks like a key. A
  // key pasted whole, quoted or after `Bearer ` is an invalid part, and would otherwise be quoted
  // bare here while `got` hides it.
  const shown =
    text === MISSING ? 'is empty' : `\`${quoted(hideSecretShapes(text))}\` is not valid`;
  fail(
    field,
    `a model name Ollama accepts (\`[host/][namespace/]model[:tag]\`, each part starting with a letter, digit or \`_\`): its ${part} ${shown}; a ${part} holds ${PART_RULES[part]}`,
    value,
    true,
  );
}

/**
 * A model name of a model call: a string (else a `TypeError`) that is not blank and that Ollama
 * can parse as `reading` says (else a `RangeError`).
 */
export function modelName(
  name: string,
  value: unknown,
  reading: NameReading = 'ref',
): asserts value is string {
  if (typeof value !== 'string' || isBlank(value)) {
    fail(
      name,
      'a non-empty string (a model name such as "llama3.2")',
      value,
      typeof value === 'string',
    );
  }
  expectOllamaName(name, value, reading);
}

/**
 * A shell word that needs no quoting: what every part of an Ollama name is made of. A name that
 * passed `expectOllamaName` may still hold more (a URL scheme before `://` is not read, a blank
 * around a `:cloud` suffix is trimmed), and a hand-built error any text.
 */
const SHELL_WORD = /^[A-Za-z0-9_][A-Za-z0-9_.:/@-]*$/;

/**
 * The pull command of a missing model, to paste into a shell: with the name as the server read it
 * (trimmed) when it is one plain word, else without it (the message quotes the name, escaped),
 * never a command a newline or a `$(...)` in the name would turn into another.
 */
export function pullCommand(model: string): string {
  const name = model.trim();
  return SHELL_WORD.test(name) ? `ollama pull ${name}` : 'ollama pull';
}
