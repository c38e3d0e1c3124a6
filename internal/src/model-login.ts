import { redactUrlCredentials } from './secret-text';

/**
 * A login before a host with no scheme (`user:password@registry.example.com/ns/model`): a name and
 * a `:` up to an `@`, with no `/` before it. Not a pinned digest (`name:tag@sha256:<hex>`), nor a
 * version (`claude-3-5-sonnet-v2@20241022`: no `:` before the `@`), nor an `@` in a path
 * (`unpkg.com/react@18`: a `/` before it), nor a tag (`llama3.2:latest`: no `@`).
 */
const BARE_LOGIN = /^[^\s/:@]*:[^\s/]*@(?![A-Za-z0-9]+:[0-9A-Fa-f]{32,})/;

/**
 * True when a model name holds a login: a URL with userinfo (`https://bob:pw@hf.co/x`, read as
 * `redactUrlCredentials` reads one) or a bare `user:password@host/...`. A model name labels stats,
 * metrics, logs and errors as it is, so one holding a login is refused where it is given (a
 * provider's `request.model`, a router's deployment). Only that shape: model names are often local
 * paths or hold a commit hash, which a rule for key-shaped text would refuse. Cheap for a name
 * without `@`, as nearly all are: it runs on every call.
 */
export function holdsLogin(model: string): boolean {
  if (!model.includes('@')) return false;
  return redactUrlCredentials(model) !== model || BARE_LOGIN.test(model);
}
