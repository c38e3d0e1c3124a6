import { goQuote } from './go-json';
import { displayShortest, parseModelRef } from './model-name';
import type { ModelStore } from './model-store';
import type { ModelRuntime } from './scheduler';

// The model a request names, found the way each of Ollama's handlers finds it (server/routes.go):
// every one parses the name the same way (surrounding spaces, `:local`/`:cloud`, a valid name) but
// words what is wrong its own way.

/** The handlers that look a model up, each with its own texts. */
export type LookupRoute = 'chat' | 'generate' | 'embed' | 'embeddings' | 'show' | 'delete';

/** An error answer: [status, text]. */
export type LookupError = [number, string];

/** `model 'x' not found`, as chat, generate and delete print the name as sent. */
const notFound = (raw: string): string => `model '${raw}' not found`;

/** handleScheduleError's text for a model the server does not have (the embed routes). */
const notPulled = (raw: string): string => `model ${goQuote(raw)} not found, try pulling it first`;

/** What an empty name is: writeModelRefParseError's fallback, which each handler sets. */
function required(route: LookupRoute, raw: string): LookupError {
  return route === 'generate' || route === 'embed'
    ? [404, notFound(raw)]
    : [400, 'model is required'];
}

/**
 * What a handler answers for an explicit cloud model when cloud is off (OLLAMA_NO_CLOUD):
 * proxyCloudRequestWithPath's 403 before anything is proxied (server/cloud_proxy.go), with the
 * operation each handler names (internal/cloud/policy.go DisabledError).
 */
export function cloudRefusal(route: LookupRoute): LookupError {
  const operation =
    route === 'show' ? 'remote model details are unavailable' : 'remote model is unavailable';
  return [403, `ollama cloud is disabled: ${operation}`];
}

/**
 * The name to look up, or the error the handler answers for a name it cannot use (an explicit
 * cloud model with `cloudDisabled`: the handlers proxy it right after parsing its name).
 */
export function nameOf(
  route: LookupRoute,
  raw: string,
  cloudDisabled = false,
): string | LookupError {
  const ref = parseModelRef(raw);
  if (!('error' in ref)) {
    return ref.cloud && cloudDisabled && route !== 'delete' ? cloudRefusal(route) : ref.name;
  }
  if (ref.error === 'required') return required(route, raw);
  // DeleteHandler words an invalid name itself; a conflict is the same 400 everywhere.
  if (ref.error === 'invalid' && route === 'delete')
    return [400, `name ${goQuote(raw)} is invalid`];
  return [400, ref.text];
}

/** The local model of a name {@link nameOf} gave, or the handler's 404. */
export function localModel(
  store: ModelStore,
  route: LookupRoute,
  raw: string,
  name: string,
): ModelRuntime | LookupError {
  const rt = store.find(name);
  if (rt !== undefined) return rt;
  if (route === 'embed' || route === 'embeddings') return [404, notPulled(raw)];
  // ShowHandler prints the name it looked up, completed (`x:latest`) and spelled as stored.
  if (route === 'show') return [404, notFound(displayShortest(store.existingName(name)))];
  return [404, notFound(raw)];
}

/** The local model `raw` names, or the error its handler answers. */
export function findModel(
  store: ModelStore,
  route: LookupRoute,
  raw: string,
  cloudDisabled = false,
): ModelRuntime | LookupError {
  const name = nameOf(route, raw, cloudDisabled);
  return typeof name === 'string' ? localModel(store, route, raw, name) : name;
}
