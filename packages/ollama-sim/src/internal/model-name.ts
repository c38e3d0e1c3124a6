import { goQuote } from './go-json';

// Ollama's model names (`types/model/name.go`): `[host/][namespace/]model[:tag]`, defaulting to
// `registry.ollama.ai/library/<model>:latest`. Every part starts with a letter, digit or `_`, then
// letters, digits, `_`, `-` and `.` (no `.` in a namespace; `:` only in a host); 1 to 80 characters
// (350 for a host).

const PART = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const HOST = /^[A-Za-z0-9_][A-Za-z0-9_.:-]*$/;
const DEFAULT_HOST = 'registry.ollama.ai';
const DEFAULT_NAMESPACE = 'library';

/** The parts of a name as Go's `model.ParseName` splits and completes them. */
export interface NameParts {
  readonly host: string;
  readonly namespace: string;
  readonly model: string;
  readonly tag: string;
}

export function parseName(text: string): NameParts {
  let rest = text;
  let tag = 'latest';
  if (rest.lastIndexOf(':') > rest.lastIndexOf('/')) {
    tag = rest.slice(rest.lastIndexOf(':') + 1);
    rest = rest.slice(0, rest.lastIndexOf(':'));
  }
  const parts = rest.split('/');
  const model = parts.pop() ?? '';
  const namespace = parts.length > 0 ? parts.pop()! : DEFAULT_NAMESPACE;
  let host = parts.length > 0 ? parts.join('/') : DEFAULT_HOST;
  const scheme = host.indexOf('://');
  if (scheme >= 0) host = host.slice(scheme + 3);
  return { host, namespace, model, tag };
}

/** Go's `Name.IsValid`: every part present and well formed. */
export function isValidName(text: string): boolean {
  if (text.trim() === '') return false;
  const { host, namespace, model, tag } = parseName(text);
  const len = (s: string, max: number) => s.length >= 1 && s.length <= max;
  return (
    len(host, 350) &&
    HOST.test(host) &&
    len(namespace, 80) &&
    PART.test(namespace) &&
    !namespace.includes('.') &&
    len(model, 80) &&
    PART.test(model) &&
    len(tag, 80) &&
    PART.test(tag)
  );
}

/** `Name.String()` of a complete name, `host/namespace/model:tag`: how capability errors name a model. */
export function qualifiedName(text: string): string {
  const { host, namespace, model, tag } = parseName(text);
  return `${host}/${namespace}/${model}:${tag}`;
}

/**
 * `Name.DisplayShortest()`: `model:tag`, with the namespace when it is not `library`, and host and
 * namespace both off the default registry (the form `/api/show` and `/v1/models` print in a 404).
 */
export function displayShortest({ host, namespace, model, tag }: NameParts): string {
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  let prefix = '';
  if (!same(host, DEFAULT_HOST)) prefix = `${host}/${namespace}/`;
  else if (!same(namespace, DEFAULT_NAMESPACE)) prefix = `${namespace}/`;
  return `${prefix}${model}:${tag}`;
}

/**
 * A request's model as Ollama's handlers read it (internal/modelref, server/model_resolver.go):
 * surrounding spaces dropped, an explicit `:local` or `:cloud` source (or a `-cloud` tag) split
 * off, the rest a valid name. `name` is what to look up; a cloud model is not simulated, so it is
 * looked up as the local model of its full name.
 */
export type ModelRef =
  | { readonly name: string; readonly cloud: boolean }
  | { readonly error: 'required' | 'conflict' | 'invalid'; readonly text: string };

/** The source suffix of a name: the name without it, or undefined when it has none. */
function withoutSource(text: string): { base: string; cloud: boolean } | undefined {
  const colon = text.lastIndexOf(':');
  if (colon < 0) return undefined;
  const suffix = text.slice(colon + 1).trim();
  const lower = suffix.toLowerCase();
  if (lower === 'cloud' || lower === 'local')
    return { base: text.slice(0, colon), cloud: lower === 'cloud' };
  if (!suffix.includes('/') && lower.endsWith('-cloud'))
    return { base: text.slice(0, colon + 1) + suffix.slice(0, -'-cloud'.length), cloud: true };
  return undefined;
}

export function parseModelRef(raw: string): ModelRef {
  const text = raw.trim();
  if (text === '') return { error: 'required', text: 'model is required' };
  const source = withoutSource(text);
  if (source !== undefined && withoutSource(source.base) !== undefined)
    return {
      error: 'conflict',
      text: `use either :local or :cloud, not both: ${goQuote(text)}`,
    };
  const base = source?.base ?? text;
  if (!isValidName(base)) return { error: 'invalid', text: 'invalid model name' };
  return source?.cloud === true ? { name: text, cloud: true } : { name: base, cloud: false };
}
