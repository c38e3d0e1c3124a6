import { isIPv6 } from 'node:net';
import {
  displayUrl,
  expectKeyAlone,
  expectKnownKeys,
  expectNumber,
  expectOneOf,
  expectUrlString,
  fail,
  hasControlOrEdgeSpace,
  isBlank,
  isPlainObject,
  optionError,
  UNKNOWN_KEY_LEAD,
  URL_WITHOUT_CONTROLS,
} from '@x/internal';
import {
  CORE_OPTION_ALIASES,
  CORE_OPTION_KEYS,
  type CoreOptions,
  type TokenOptions as CoreTokenOptions,
} from '@x/provider-core';
import type { Calibrator } from '@x/tokens';

/** Options of token accounting and context-window checks. */
export interface TokenOptions extends CoreTokenOptions {
  /**
   * The `num_ctx` sent when a request does not set one, cloud models included; never above the
   * trained length. Kept constant per model so Ollama never reloads. Without it none is sent
   * unless a prompt needs a larger window than the server's (the loaded model's, the Modelfile's,
   * else 4096; a raise is never below the server's own default once `/api/ps` showed it), and
   * never to a cloud model, which runs at its trained maximum.
   * @default undefined
   */
  numCtx?: number | undefined;
}

/** Options of {@link createOllamaProvider}. */
export interface OllamaProviderOptions extends Omit<CoreOptions, 'tokens'> {
  /**
   * Where Ollama listens. Accepts what `OLLAMA_HOST` accepts (`127.0.0.1:11434`, `0.0.0.0`,
   * `localhost`, `:11434`): without a scheme it is http on port 11434 unless a port is named
   * (`ollama.com` alone, as for the CLI, is `https://ollama.com`); with a scheme
   * (`http://proxy`, `https://ollama.com`) that scheme's default port applies. A trailing `/api`
   * is dropped; one that ends in an endpoint (`/api/chat`, `/api/tags`..., or the OpenAI layer's
   * `/v1/chat/completions`) is a `RangeError` showing the address to use, as is any other string
   * that is not such an address (credentials, a query or a fragment in it included); a value that
   * is not a string is a `TypeError`.
   * @default process.env.OLLAMA_HOST ?? 'http://localhost:11434'
   */
  baseUrl?: string | undefined;
  /**
   * Token accounting (`@x/tokens`): options, a calibrator to share, or `false` (no estimate, no
   * context check, no `num_ctx` chosen for you).
   */
  tokens?: TokenOptions | Calibrator | false | undefined;
  /**
   * How `complete()` and `generate()` read an answer. `'stream'` asks Ollama to stream and reads
   * the answer whole before returning: the first-token and idle deadlines then bound every call,
   * and a long generation is never cut. `'whole'` asks for `stream: false`: one JSON answer rather
   * than a line per token, but the server sends nothing until the answer is complete, so the whole
   * answer must arrive within `timeouts.firstTokenMs` (raise it for long generations).
   * @default 'stream'
   */
  completeAs?: 'stream' | 'whole' | undefined;
}

export const DEFAULT_BASE_URL = 'http://localhost:11434';

/**
 * Normalises a base URL or an `OLLAMA_HOST` value to an origin plus path prefix without a
 * trailing slash, reading it as Ollama's own clients do: surrounding spaces and quotes are
 * dropped; a value without a scheme (`127.0.0.1:11434`, `0.0.0.0`, `localhost`, `[::1]`, `::1`,
 * `:11434`) is http with port 11434 unless it names one, but `ollama.com` alone is
 * `https://ollama.com`, as the CLI reads it; a value with a scheme
 * (`http://proxy`, `https://ollama.com`) keeps that scheme's own default port (80 or 443), as in
 * any URL. `0.0.0.0` and `::`, where a server listens, become the loopback address. A string that
 * is not such an address is a `RangeError` naming `name`: the type is right, the value is not.
 */
export function normaliseBaseUrl(raw: string, name: string): string {
  let text = raw
    .trim()
    .replace(/^["']+|["']+$/g, '')
    .trim();
  // What an error may show of the value: never a password or a query written into it.
  const shown = displayUrl(raw);
  if (text.length === 0) fail(name, 'a URL such as "http://localhost:11434"', shown, true);
  // Ends are trimmed as Ollama's clients trim OLLAMA_HOST; inside, URL parsing would drop a tab
  // or a line break without a word (`a\nb` becoming host `ab`).
  if (hasControlOrEdgeSpace(text)) {
    fail(name, URL_WITHOUT_CONTROLS, shown, true);
  }
  // The CLI's one exception (envconfig Host(), Ollama 0.13.0 on): exactly `ollama.com`, no scheme,
  // port, path or other case, is the cloud over https, not http on 11434.
  if (text === 'ollama.com') text = 'https://ollama.com';
  const schemeless = !/^[a-z][a-z0-9+.-]*:\/\//i.test(text);
  // A scheme with a typo (`http//h`, `http:/h`, `https:\\h`) would read as a host named `http`
  // with the rest as a path, credentials and all: refused, never guessed.
  if (schemeless && /^https?(?::[/\\]|[/\\]{2})/i.test(text)) {
    fail(name, 'a URL whose scheme is written `http://` or `https://`', shown, true);
  }
  let explicitPort = false;
  if (schemeless) {
    const cut = text.search(/[/?#]/);
    let authority = cut === -1 ? text : text.slice(0, cut);
    const rest = cut === -1 ? '' : text.slice(cut);
    // A bare IPv6 address (`::1`) needs brackets in a URL.
    if (isIPv6(authority)) authority = `[${authority}]`;
    // `:11434` is the port alone, on this machine.
    else if (authority.startsWith(':')) authority = `127.0.0.1${authority}`;
    explicitPort = /:\d+$/.test(authority.replace(/^\[[^\]]*\]/, ''));
    text = `http://${authority}${rest}`;
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return fail(name, 'a URL such as "http://localhost:11434"', shown, true);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    fail(name, 'an http: or https: URL', shown, true);
  }
  if (url.username || url.password) {
    fail(name, 'a URL without credentials (pass them as `apiKey` or `headers`)', shown, true);
  }
  // Ollama's API takes no query: one here is a gateway's key (`?api_key=`) that would otherwise
  // be dropped without a word, and every call would fail unauthenticated.
  if (url.search !== '' || url.hash !== '') {
    fail(
      name,
      'a URL without query or fragment (a key goes in `apiKey`, other parameters in `headers`)',
      shown,
      true,
    );
  }
  // 0.0.0.0 is where a server listens, not an address to call.
  if (url.hostname === '0.0.0.0' || url.hostname === '') url.hostname = '127.0.0.1';
  if (url.hostname === '[::]') url.hostname = '[::1]';
  if (schemeless && !explicitPort) url.port = '11434';
  const path = url.pathname.replace(/\/+$/, '');
  refuseEndpoint(path, name, `${url.protocol}//${url.host}`, shown);
  // `/api` alone is where every endpoint lives: the server's address, as ollama.com/api is.
  return `${url.protocol}//${url.host}${path.replace(/\/api$/, '')}`;
}

/**
 * Ollama's endpoints, each appended to the base URL by its call: a base URL ending in one (pasted
 * from a curl line or the API docs) 404s on every call, at `/api/chat/api/chat`.
 */
const API_ENDPOINT =
  /\/api\/(?:chat|generate|embed|embeddings|tags|show|ps|version|pull|push|create|copy|delete|blobs(?:\/[^/]+)?)$/;

/** The endpoints of Ollama's OpenAI-compatible layer, which this provider does not speak. */
const OPENAI_ENDPOINT = /\/v1\/(?:chat\/completions|completions|embeddings|models|responses)$/;

/**
 * Refuses a base URL that ends in an endpoint, showing the address to use instead. `/v1` alone is
 * left to the first call's 404, whose message asks about `baseUrl`: a gateway may serve Ollama's
 * API under a prefix of that name.
 */
function refuseEndpoint(path: string, name: string, origin: string, shown: string): void {
  const api = API_ENDPOINT.exec(path);
  const found = api ?? OPENAI_ENDPOINT.exec(path);
  if (found === null) return;
  const use = JSON.stringify(displayUrl(`${origin}${path.slice(0, found.index)}`));
  fail(
    name,
    api !== null
      ? `the server's address, without the endpoint each call appends (\`${found[0]}\`): use ${use}`
      : `the server's address, not an endpoint of its OpenAI-compatible layer (\`${found[0]}\`; for that layer use @x/provider-openai's preset "ollama"): use ${use}`,
    shown,
    true,
  );
}

/** `OLLAMA_HOST` as Ollama's own client reads it: only spaces or quotes is unset. */
export function envHost(): string | undefined {
  const host = process.env.OLLAMA_HOST;
  return host?.replace(/["'\s]/g, '') ? host : undefined;
}

/** How the key is sent, for the error refusing one written with its scheme (`expectKeyAlone`). */
const KEY_SENT_AS =
  'it is sent as `Authorization: Bearer <key>`; a whole header value of your own goes in `headers`';

/**
 * `OLLAMA_API_KEY` as ollama-js reads it: for `https://ollama.com` only, when no key and no
 * `Authorization` header was given.
 */
export function withEnvKey(options: OllamaProviderOptions, cloud: boolean): OllamaProviderOptions {
  const key = process.env.OLLAMA_API_KEY;
  // Blank reads as unset, as `OLLAMA_HOST` does: it would be sent as a Bearer naming nobody.
  if (!cloud || key === undefined || isBlank(key)) return options;
  if (options.apiKey !== undefined || options.getApiKey !== undefined) return options;
  const headers = options.headers ?? {};
  if (Object.keys(headers).some((name) => name.toLowerCase() === 'authorization')) return options;
  // Checked as the option is, naming the variable.
  expectKeyAlone('OLLAMA_API_KEY', key, false, KEY_SENT_AS);
  return { ...options, apiKey: key };
}

/**
 * Ollama's token defaults: a prompt that does not fit the window the server uses raises the
 * window (`onOverflow: 'raise'`), as a server would need it; the caller's options win. Anything
 * that is neither options nor a calibrator (`null`, an array, a number) goes on as it was given,
 * for the core to refuse naming `tokens`: read as options, it would be the defaults.
 */
export function withTokenDefaults(
  tokens: OllamaProviderOptions['tokens'],
): OllamaProviderOptions['tokens'] {
  if (tokens === false) return false;
  if (tokens === undefined) return { onOverflow: 'raise' };
  if (
    typeof tokens === 'object' &&
    tokens !== null &&
    typeof (tokens as { observe?: unknown }).observe === 'function'
  ) {
    return { calibrator: tokens as Calibrator, onOverflow: 'raise' };
  }
  if (!isPlainObject(tokens)) return tokens;
  // `onOverflow: undefined` is the option left out, as everywhere: the default still applies.
  // Any other value (`null` included) is the caller's, for the core to check.
  const given = tokens as TokenOptions;
  return { ...given, onOverflow: given.onOverflow === undefined ? 'raise' : given.onOverflow };
}

const OPTION_KEYS = [...CORE_OPTION_KEYS, 'baseUrl', 'completeAs'] as const;

/**
 * The provider's listener methods: given as options (as other clients take callbacks), each is
 * pointed at its method, which no edit distance from the option keys would find.
 */
const LISTENERS = [
  'onRetry',
  'onError',
  'onResponse',
  'onTruncated',
  'onContextRaised',
  'onAudit',
] as const;

/**
 * Refuses an option that exists elsewhere than at the top level, saying where: a listener is a
 * method of the provider, the window a token option (`tokens.numCtx`) or a request's `numCtx`.
 */
function refuseMisplaced(options: object): void {
  for (const key of LISTENERS) {
    if (!Object.hasOwn(options, key)) continue;
    throw optionError([
      UNKNOWN_KEY_LEAD,
      key,
      `\`: listeners are not options; subscribe once the provider is made, \`provider.${key}(listener)\`, which returns the unsubscribe function`,
    ]);
  }
  if (Object.hasOwn(options, 'numCtx')) {
    throw optionError([
      UNKNOWN_KEY_LEAD,
      'numCtx',
      '`: did you mean `',
      'tokens.numCtx',
      "`? (`{ tokens: { numCtx: 8192 } }`; a request's own `numCtx` sets it for one call)",
    ]);
  }
}

/** The options checked and resolved: the base URL, what the core gets, Ollama's own. */
export function resolveOptions(options: OllamaProviderOptions): {
  baseUrl: string;
  cloud: boolean;
  numCtx: number | undefined;
  whole: boolean;
  core: CoreOptions;
} {
  // An array would be read as options with no key: the defaults, the caller's settings lost.
  if (!isPlainObject(options as unknown)) fail('options', 'an object', options);
  refuseMisplaced(options);
  expectKnownKeys(undefined, options, OPTION_KEYS, CORE_OPTION_ALIASES);
  // A key pasted with its scheme (`Bearer sk-...`) would go out as `Bearer Bearer sk-...`, a 401
  // on every call; an empty or blank one as a Bearer naming nobody: each a `RangeError`, as in
  // @x/provider-openai. Another type is the core's `TypeError`; a character no header may hold,
  // its `RangeError`.
  if (typeof options.apiKey === 'string') {
    expectKeyAlone('apiKey', options.apiKey, false, KEY_SENT_AS);
  }
  const fromEnv = options.baseUrl === undefined ? envHost() : undefined;
  // Only `baseUrl` left out falls back to `OLLAMA_HOST` and the default: `null` is refused as
  // every other option set to null is (`name`, `headers`, `tokens`...), never read as localhost.
  const rawBase = options.baseUrl !== undefined ? options.baseUrl : (fromEnv ?? DEFAULT_BASE_URL);
  expectUrlString('baseUrl', rawBase);
  const baseUrl = normaliseBaseUrl(rawBase, fromEnv !== undefined ? 'OLLAMA_HOST' : 'baseUrl');
  const numCtx = (options.tokens as { numCtx?: unknown } | undefined)?.numCtx;
  if (typeof options.tokens === 'object' && options.tokens !== null && numCtx !== undefined) {
    expectNumber('tokens.numCtx', numCtx, { min: 1, integer: true });
  }
  if (options.completeAs !== undefined) {
    expectOneOf('completeAs', options.completeAs, ['stream', 'whole']);
  }
  const url = new URL(baseUrl);
  const cloud = /(^|\.)ollama\.com$/i.test(url.hostname);
  return {
    baseUrl,
    cloud,
    numCtx: numCtx as number | undefined,
    whole: options.completeAs === 'whole',
    core: {
      ...withEnvKey(options, cloud && url.protocol === 'https:'),
      tokens: withTokenDefaults(options.tokens),
    },
  };
}
