// Ollama's model names (`types/model/name.go`): `[host/][namespace/]model[:tag]`, defaulting to
// `registry.ollama.ai/library/<model>:latest`. Every part starts with a letter, digit or `_`, then
// letters, digits, `_`, `-` and `.` (no `.` in a namespace; `:` only in a host); 1 to 80 characters
// (350 for a host).

const PART = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const HOST = /^[A-Za-z0-9_][A-Za-z0-9_.:-]*$/;

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
  const namespace = parts.length > 0 ? parts.pop()! : 'library';
  let host = parts.length > 0 ? parts.join('/') : 'registry.ollama.ai';
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
