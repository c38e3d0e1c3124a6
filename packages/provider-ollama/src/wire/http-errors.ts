import type { BreakerClassifier } from '@x/breaker';
import { brand, hasBrand, mark, quoted } from '@x/internal';
import {
  answeredText,
  classifyForBreaker,
  contextOverflowCounts,
  type HttpFailure,
  isWebPageFailure,
  notServedMessage,
  parseRetryAfter,
  redirectMessage,
  serverMessage,
} from '@x/provider-core';
import {
  ContextOverflowError,
  isOllamaApiError,
  ModelNotFoundError,
  OllamaApiError,
  ServerBusyError,
} from '../errors';

/** Statuses that are worth retrying (besides non-client 500s). */
const RETRYABLE_STATUS = new Set([408, 429, 502, 503, 504]);

/**
 * 500 texts that are the caller's mistake and would fail the same way again: a bad option type
 * (`option "num_ctx" must be of type integer`, `option "stop" must be of an array of strings`),
 * `/api/create`'s (quantizing a quantized model, an unknown quantization type, a blob that was
 * never uploaded: `open <models>/blobs/sha256-…: no such file or directory`) and a pull or push
 * from a plain-http registry without `insecure` (`insecure protocol http`).
 */
const CLIENT_MISTAKE_500 =
  /must be of (type|an array)|does not support|invalid|is required|unknown|cannot be|quantization is only supported|unsupported quantization|no such file or directory|insecure protocol/i;

/**
 * 500s of the prompt's rendering, which fail the same way for the same request, each matched as
 * Ollama words it (server/routes.go, server/prompt.go, template/, model/renderers/), from the start
 * of the text so that a runner's failure that merely mentions a template stays retryable:
 * - Go's text/template, for generate's `template` (`template.Parse`) and for a model's template run
 *   on the messages (`chatPrompt`): `template: :1: function "foo" not defined`, `template: :1:3:
 *   executing "" at <.Foo>: can't evaluate field Foo…` (always `template: <name>:<line>`);
 * - `template.Parse`'s own checks: `undefined template specified`, `undefined action in template`,
 *   `undefined branch`;
 * - `chatPrompt` with several images for an mllama model: `this model only supports one image
 *   while more than one image requested`;
 * - the built-in renderers: `user message cannot contain images`, `no messages provided`, `no user
 *   query found in messages`, `unsupported Qwen3.8 reasoning effort "x"`.
 */
const RENDERING_500 =
  /^(?:template: [^\s:]*:\d+|undefined (?:template specified|action in template|branch)$|this model only supports one image|(?:system|user|assistant|tool) message cannot contain images|no messages provided$|no user query found in messages$|unsupported .{1,40} reasoning effort )/i;

/**
 * The runner's failures that `/api/embed` answers with 400: its EmbedHandler answers 400 to any
 * error that is not an `api.StatusError` (server/routes.go), the runner's own included, where every
 * other endpoint answers 500. Each matched from the start as Ollama words it (llm/llama_server.go,
 * and llm/server.go's `llama runner` before 0.30): the runner exited (`llama-server process no
 * longer running: exit status 1`), was busy (`no slots available after 10 retries`), not ready
 * (`unexpected server status: llm server loading model`), or did not answer its health check or
 * the embedding request (`health resp: …`, `do embedding request: …`, Go's `Post
 * "http://127.0.0.1:<port>/tokenize": …` of a tokenize). The same text on a 500 is retried; on
 * /api/embed's 400 it is the same server failure, not the caller's request. `/api/embeddings`
 * answers these with 500 today, and is matched too in case it follows.
 */
const EMBED_RUNNER_400 =
  /^(?:llama(?:-server| runner) process (?:no longer running|has terminated)|no slots available after \d+ retries|unexpected server status|do embedding request|error reading embed response|health (?:resp|unmarshal)|read health re(?:sponse|quest)|llama-server error|server not responding$|connection refused$|(?:Post|Get) "http:\/\/127\.0\.0\.1:\d+\/)/i;

/**
 * llama-server's 501 for a model it runs without pooling (a chat model), which Ollama 0.30+ passes
 * on from `/api/embed` as it got it (`This server does not support embeddings. Start it with
 * \`--embeddings\``): the flag it names is not one an Ollama user can set.
 */
const NO_EMBEDDINGS_501 = /does not support embeddings/i;

/** The longest sign-in link kept (Ollama's is about 100 characters plus a public key). */
const MAX_SIGNIN_URL = 2048;

/**
 * Ollama's own texts, and llama-server's, which Ollama passes through as it got it when it did not
 * truncate the prompt itself (a request with images, or `truncate: false`): `request (N tokens)
 * exceeds the available context size (M tokens)`, type `exceed_context_size_error`. Also the MLX
 * runner's `input length (N tokens) exceeds the model's maximum context length (M tokens)`, and
 * `/api/embed`'s `input exceeds maximum context length and cannot be truncated further` and
 * `input after truncation exceeds maximum context length`.
 */
const CONTEXT_OVERFLOW_400 =
  /longer than the context length|exceeds the context length|exceeds the available context size|exceed_context_size_error|exceeds (the )?(model's )?maximum context length/i;

const NOT_SERVED_ADVICE =
  "Ollama's API is at the server's root (`/api/chat`), so baseUrl takes no path such as /v1 (Ollama's OpenAI-compatible /v1 is @x/provider-openai's, with `preset: 'ollama'`).";

/**
 * A pull's or a push's progress line saying the model is missing, as Ollama words it: a pull whose
 * manifest the registry lacks (the registry's 404 is Go's `os.ErrNotExist`, so PullModel says `pull
 * model manifest: file does not exist`; the `ollama` CLI may add suggestions after it), the same
 * from the registry client of `OLLAMA_EXPERIMENT=client2` (`model "x" not found`, `model not
 * found`, until Ollama removed it), and a push of a model the server lacks (its manifest's
 * `os.Open` error: `open <models>/manifests/<host>/<namespace>/<model>/<tag>: no such file or
 * directory`, or Windows' `The system cannot find the path specified.`).
 */
const MISSING_MODEL_LINE =
  /^pull model manifest: file does not exist|^model (?:"[^"]*" |'[^']*' )?not found|^open \S.*[\\/]manifests[\\/].*: (?:no such file or directory|the system cannot find the (?:file|path) specified)/i;

/** True for a progress line's `error` that says the model is missing (see MISSING_MODEL_LINE). */
export function isMissingModelLine(endpoint: string, error: string): boolean {
  return (
    (endpoint === '/api/pull' || endpoint === '/api/push' || endpoint === '/api/create') &&
    MISSING_MODEL_LINE.test(error)
  );
}

/**
 * What a missing model's error says: advice that fits the call. Telling a delete, a copy or a push
 * to `ollama pull` the model is wrong (there was nothing there to act on), and a pull's missing
 * model is missing from the registry, not from the server.
 */
export function modelNotFoundMessage(endpoint: string, model: string): string | undefined {
  const missing = `Model ${quoted(model)} was not found on the Ollama server`;
  const list = '(`listModels()` lists what it has)';
  switch (endpoint) {
    case '/api/pull':
      return `Model ${quoted(model)} is not in the registry: it has no manifest for that name and tag (check both; ollama.com/library lists the public models)`;
    case '/api/create':
      // Ollama pulls a `from` it lacks: the line is that pull's.
      return `Model ${quoted(model)} (create()'s \`from\`) is neither on the Ollama server nor in the registry: it has no manifest for that name and tag (check both; \`listModels()\` lists what the server has)`;
    case '/api/push':
      return `${missing}: there is nothing to push ${list}`;
    case '/api/delete':
      return `${missing}: there is nothing to delete ${list}`;
    case '/api/copy':
      return `${missing}: the copy's source does not exist ${list}`;
    default:
      return undefined;
  }
}

/**
 * Where a 401 or 403 sends the user: the key the provider sends, never its value. Ollama itself
 * asks for no key; an auth proxy in front of it does, and ollama.com (its 401 `unauthorized`).
 */
const AUTH_ADVICE =
  'The server, or a proxy in front of it, refused the credentials: check the key given as `apiKey` (or returned by `getApiKey`), sent as `Authorization: Bearer <key>`; for https://ollama.com the provider reads the `OLLAMA_API_KEY` variable when neither is given';

/** Ollama's own 403s are not about keys: a `Host` or an `Origin` it does not allow. */
const FORBIDDEN_ADVICE =
  '. Ollama itself answers 403 to a browser `Origin` it does not allow (`OLLAMA_ORIGINS`) and, listening on loopback, to a `Host` that is not local';

/**
 * Ollama's 403 for a cloud or remote model (`:cloud`, `-cloud`, a model created with a remote
 * host) on a server whose owner switched its cloud off (`OLLAMA_NO_CLOUD=1`, or
 * `disable_ollama_cloud` in `~/.ollama/server.json`): `ollama cloud is disabled: remote model is
 * unavailable`, or `...: remote model details are unavailable` from /api/show
 * (internal/cloud/policy.go). No key changes it: the key advice would send the user the wrong way.
 */
const CLOUD_DISABLED_403 = /^ollama cloud is disabled\b/i;

const CLOUD_DISABLED_ADVICE =
  "The server has Ollama's cloud disabled (`OLLAMA_NO_CLOUD`, or `disable_ollama_cloud` in its `~/.ollama/server.json`), so it serves no cloud or remote model: use a local model, or unset both and restart the server";

/** What a 401's or 403's error says: where to look, never the key. */
function refusedMessage(failure: HttpFailure, message: string): string {
  const { statusCode } = failure;
  const head = `${answeredText('Ollama', failure, message)}.`;
  if (statusCode === 403 && CLOUD_DISABLED_403.test(message)) {
    return `${head} ${CLOUD_DISABLED_ADVICE}`;
  }
  return `${head} ${AUTH_ADVICE}${statusCode === 403 ? FORBIDDEN_ADVICE : ''}`;
}

/** Marks the 404 with which Ollama says it does not hold a blob (see {@link isBlobAbsent}). */
const BLOB_ABSENT = brand('provider-ollama', 'blobAbsent');

/**
 * True for the error of Ollama's own "no such blob" answer to `HEAD /api/blobs/:digest`: a 404 that
 * is JSON. HeadBlobHandler writes `{"error":"blob … not found"}`; net/http sends no body to a HEAD
 * but keeps the type (`application/json; charset=utf-8`) and length of what was written, whereas
 * gin's 404 for a path it does not route is `text/plain`, and a proxy's or another server's is
 * whatever it is. A HEAD has no body to read, so the type is all that tells them apart.
 */
export function isBlobAbsent(error: unknown): boolean {
  return hasBrand(error, BLOB_ABSENT);
}

/** Whether a `Content-Type` is `application/json`, whatever its parameters (`charset=utf-8`). */
function isJsonMedia(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const semicolon = contentType.indexOf(';');
  const media = semicolon === -1 ? contentType : contentType.slice(0, semicolon);
  return media.trim().toLowerCase() === 'application/json';
}

/** What a message may show of the server's `Content-Type`: scrubbed, printable, short. */
function shownType(failure: HttpFailure): string {
  const type = failure.contentType;
  if (type === undefined) return 'no Content-Type';
  return failure
    .redact(type)
    .replace(/[^\x20-\x7e]/g, '?')
    .slice(0, 64);
}

/**
 * The sign-in link of Ollama's `{"error":"unauthorized","signin_url":…}` (a cloud model asked of a
 * server not signed in to ollama.com): an http(s) URL without credentials, short, printable. It
 * holds the host's name and public key, no secret of the server's; one that holds a secret of ours
 * (a hostile server echoing the key) is dropped, not shown scrubbed.
 */
function signinUrlOf(failure: HttpFailure): string | undefined {
  if (!failure.body.includes('signin_url')) return undefined;
  let raw: unknown;
  try {
    raw = (JSON.parse(failure.body) as { signin_url?: unknown } | null)?.signin_url;
  } catch {
    return undefined;
  }
  if (
    typeof raw !== 'string' ||
    raw.length > MAX_SIGNIN_URL ||
    !/^https?:\/\/[\x21-\x7e]+$/i.test(raw)
  ) {
    return undefined;
  }
  if (failure.redact(raw) !== raw) return undefined;
  try {
    const url = new URL(raw);
    return url.username === '' && url.password === '' ? raw : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The breaker's classification: the default, which ignores a 4xx as the caller's, but for
 * `/api/embed`'s 400 of a runner failure (see EMBED_RUNNER_400, the only retryable 400), counted as
 * the server failure it is, as the same text on a 500 is.
 */
export const classifyOllamaError: BreakerClassifier = (error, context) =>
  !context.callerAborted && isOllamaApiError(error) && error.statusCode === 400 && error.retryable
    ? 'failure'
    : classifyForBreaker(error, context);

/** Maps an Ollama HTTP error answer to a typed error. */
export function mapHttpError(failure: HttpFailure): Error {
  const { statusCode, endpoint, model } = failure;
  const message =
    statusCode < 400
      ? redirectMessage(failure)
      : serverMessage(failure.contentType, failure.body, failure.redact);
  const retryAfterMs = parseRetryAfter(failure.headers['retry-after']);
  const isJson =
    failure.contentType?.includes('json') === true || failure.body.trim().startsWith('{');
  if (statusCode === 404 && isJson && /not found/i.test(message) && model !== undefined) {
    return new ModelNotFoundError({
      model,
      serverMessage: message,
      endpoint,
      message: modelNotFoundMessage(endpoint, model),
    });
  }
  const page = statusCode >= 400 && isWebPageFailure(failure);
  if (statusCode === 503) {
    return new ServerBusyError({
      serverMessage: message,
      endpoint,
      retryAfterMs,
      message: page ? answeredText('Ollama', failure, message) : undefined,
    });
  }
  if (statusCode === 400 && CONTEXT_OVERFLOW_400.test(message) && model !== undefined) {
    // The window and the prompt's size, when the text states them (llama.cpp's and the MLX
    // runner's do; Ollama's own do not): a router learns the window from them.
    return new ContextOverflowError({
      model,
      source: 'server',
      serverMessage: message,
      ...contextOverflowCounts(message),
    });
  }
  if (statusCode === 501 && NO_EMBEDDINGS_501.test(message)) {
    return new OllamaApiError({
      statusCode,
      serverMessage: message,
      endpoint,
      retryable: false,
      message: `${model === undefined ? 'The model' : `Model ${quoted(model)}`} cannot make embeddings: Ollama ${endpoint} answered 501 (${message}). Use an embedding model, one whose capabilities list "embedding" (nomic-embed-text, all-minilm...)`,
    });
  }
  const retryable =
    RETRYABLE_STATUS.has(statusCode) ||
    (statusCode === 500 && !CLIENT_MISTAKE_500.test(message) && !RENDERING_500.test(message)) ||
    (statusCode === 400 &&
      (endpoint === '/api/embed' || endpoint === '/api/embeddings') &&
      EMBED_RUNNER_400.test(message));
  const signinUrl = signinUrlOf(failure);
  // A blob's 404 is an answer only when it is Ollama's JSON; any other says the address is wrong
  // (`hasBlob` would otherwise read "not there" from a proxy and upload to the wrong server).
  const blob = statusCode === 404 && endpoint.startsWith('/api/blobs/');
  const absent = blob && isJsonMedia(failure.contentType);
  const error = new OllamaApiError({
    statusCode,
    serverMessage: message,
    endpoint,
    retryable,
    retryAfterMs,
    signinUrl,
    // Ollama says `404 page not found` in plain text for a path it does not serve (its JSON 404s
    // are about models): a baseUrl with a path, `/v1` most often. Ollama answers no 405 or 501 of
    // its own but JSON (llama-server's 501 above): another server, a static one, is on the port.
    message:
      ((statusCode === 404 || statusCode === 405 || statusCode === 501) && !isJson) ||
      (blob && !absent)
        ? notServedMessage(
            'Ollama',
            failure,
            // `hasBlob`'s HEAD has no body: the type is what it said.
            blob && message === '' ? `${shownType(failure)}, not Ollama's JSON` : message,
            NOT_SERVED_ADVICE,
          )
        : signinUrl !== undefined
          ? `Ollama ${endpoint} answered ${statusCode}: ${message || '(empty body)'}. Sign in to Ollama to use cloud models: ${signinUrl}`
          : statusCode === 401 || statusCode === 403
            ? refusedMessage(failure, message)
            : // A web page is named by its title, not quoted (a proxy's 502 is 16 lines of tags).
              page
              ? answeredText('Ollama', failure, message)
              : undefined,
  });
  if (absent) mark(error, BLOB_ABSENT);
  return error;
}
