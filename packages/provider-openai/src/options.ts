import {
  displayUrl,
  expectKeyAlone,
  expectKnownKeys,
  expectNumber,
  expectOneOf,
  expectUrlString,
  fail,
  hasControlOrEdgeSpace,
  isPlainObject,
  optionalBoolean,
  optionalString,
  URL_WITHOUT_CONTROLS,
} from '@x/internal';
import {
  CORE_OPTION_ALIASES,
  CORE_OPTION_KEYS,
  type ConnectionAdvice,
  type CoreOptions,
  isFieldValue,
} from '@x/provider-core';
import { refuseMissingScheme } from './base-url-scheme';
import { customPreset, type OpenAICustomPreset } from './custom-preset';
import { atGateway, gatewayLabel } from './gateway-preset';
import { isOpenAIHost } from './openai-hosts';
import { type OpenAIPreset, type OpenAIPresetName, openAIPresets, PRESET_NAMES } from './presets';

/** Options of {@link createOpenAIProvider}. */
export interface OpenAIProviderOptions extends CoreOptions {
  /**
   * The API spoken to: its base URL, key variable, rate, token method, prices and dialect. A
   * built-in preset's name, or a preset of your own ({@link OpenAICustomPreset}: its `name`,
   * `baseUrl` and any field of a preset, the others from the preset it `extends`).
   * @default 'openai'
   */
  preset?: OpenAIPresetName | OpenAICustomPreset | undefined;
  /**
   * The API's base URL, with its version prefix, as OpenAI's own client takes it: endpoints
   * (`/chat/completions`, `/embeddings`, `/models`) are appended to it. One that ends in an
   * endpoint (`/chat/completions`, `/completions`, `/embeddings`, `/models`) is a `RangeError`
   * showing the URL to use instead, as is any other string that is not such a URL (another
   * scheme, credentials, a query or a fragment, a CR or LF); a trailing slash is dropped. One
   * without its scheme (`localhost:8000/v1`) is a `RangeError` showing it with one, never guessed:
   * `http://` for a local or private host, else `https://`. A value that is not a string is a
   * `TypeError`.
   * @default process.env.OPENAI_BASE_URL (preset `openai` only), else the preset's
   */
  baseUrl?: string | undefined;
  /**
   * The key alone: it is sent as `Authorization: Bearer <key>` (or, with `authHeader`, as
   * written). Blank is a `RangeError`, and so is a key written with its scheme (`Bearer sk-...`,
   * `Basic ...`, any case) unless `authHeader` is set; a character no HTTP header may hold is a
   * `TypeError`. Each shows the key as `[redacted]`. The environment's key is checked the same
   * way, its error naming the variable; a blank variable reads as unset.
   * @default process.env.OPENAI_API_KEY (preset `openai`), else the preset's variable
   */
  apiKey?: string | undefined;
  /**
   * Sent as `OpenAI-Organization`.
   * @default process.env.OPENAI_ORG_ID (preset `openai` only)
   */
  organization?: string | undefined;
  /**
   * Sent as `OpenAI-Project`.
   * @default process.env.OPENAI_PROJECT_ID (preset `openai` only)
   */
  project?: string | undefined;
  /**
   * The header the key is sent in, raw (`'api-key'` for Azure OpenAI). Unset: `Authorization:
   * Bearer <key>`. A string that is not a header name is a `RangeError`.
   * @default undefined
   */
  authHeader?: string | undefined;
  /**
   * Context windows by model name, over what the server lists and `@x/tokens` knows.
   * @default {}
   */
  contextWindows?: Record<string, number> | undefined;
  /**
   * Adjust the rate limiter to what the server's rate-limit headers and 429s say.
   * @default true
   */
  learnLimits?: boolean | undefined;
  /**
   * How `complete()` reads an answer. `'stream'` asks the server to stream and reads the answer
   * whole before returning: the first-token and idle deadlines then bound every call, and a long
   * generation is never cut. `'whole'` asks for one JSON answer: less client CPU per token, but
   * the server sends nothing until the answer is complete, so the whole answer must arrive within
   * `timeouts.firstTokenMs` (raise it for long generations).
   * @default 'stream'
   */
  completeAs?: 'stream' | 'whole' | undefined;
}

export const OPTION_KEYS = [
  ...CORE_OPTION_KEYS,
  'preset',
  'baseUrl',
  'organization',
  'project',
  'authHeader',
  'contextWindows',
  'learnLimits',
  'completeAs',
] as const;

/** The connection settings of a provider, after options, presets and environment. */
export interface Resolved {
  /** The built-in preset's name, or the custom preset's. */
  name: string;
  /**
   * The preset as it holds where requests go: the `openai` preset pointed at another server
   * ({@link openAIServer} false) leaves OpenAI's file types and embeddings input to it, is sent
   * `maxTokens` as `max_tokens`, and is named in messages by the `name` option or its host, not
   * "OpenAI".
   */
  preset: OpenAIPreset;
  /** The built-in preset it is, or extends; `undefined` for a custom one that extends none. */
  family: OpenAIPresetName | undefined;
  baseUrl: string;
  /**
   * Requests go to OpenAI's own API, whose server-side limits (`stop`, `temperature` at most 2,
   * function names, PDF-only files, embeddings input without empty texts and of at most 2048
   * items) then hold:
   * the `openai` preset at OpenAI's host ({@link isOpenAIHost}), or a preset of your own that
   * extends `openai` (its word that the server is OpenAI's API, as Azure OpenAI's v1 is). The
   * `openai` preset pointed elsewhere (`baseUrl`, `OPENAI_BASE_URL`) is a gateway or another
   * server (LiteLLM, OpenRouter), which takes what it takes.
   */
  openAIServer: boolean;
  apiKey: string | undefined;
  /** Headers added to the user's (`OpenAI-Organization`, `OpenAI-Project`). */
  headers: Record<string, string>;
  /** What a connection error names and advises ({@link connectionAdvice}). */
  reach: ConnectionAdvice & { label: string };
}

/**
 * What a connection error says: the server's name, the base URL with its path (a gateway's host
 * alone would repeat the address and hide the `/v1` to check), the setting that holds it, and
 * the fix when nothing answered. The `openai` preset pointed at another server without a `name`
 * is "the server": its host is already in the URL. The preset's own hosted address cannot be
 * wrong: the network in between, or the service, is.
 */
function connectionAdvice(
  preset: OpenAIPreset,
  baseUrl: string,
  from: string,
): ConnectionAdvice & { label: string } {
  const label = preset.label === new URL(baseUrl).host ? 'the server' : preset.label;
  const setting = from === 'OPENAI_BASE_URL' ? 'OPENAI_BASE_URL' : '`baseUrl`';
  const remedy =
    from === 'preset.baseUrl' && !preset.local
      ? `Check the network in between (a proxy, a firewall) and ${label}'s status`
      : `Check that the server is up and that ${setting} is its address`;
  return { label, url: displayUrl(baseUrl), setting, remedy };
}

/** An environment variable as OpenAI's client reads it: trimmed; empty is unset. */
export function readEnv(name: string): string | undefined {
  return process.env[name]?.trim() || undefined;
}

/**
 * How the key is sent, for the error refusing one written with its scheme (`expectKeyAlone`): no
 * preset's API issues keys that start with a word and a space.
 */
const KEY_SENT_AS = 'it is sent as `Authorization: Bearer <key>`; with `authHeader`, as written';

/** The endpoints each call appends to the base URL: a base URL ending in one 404s on every call. */
const ENDPOINT_PATHS = ['/chat/completions', '/completions', '/embeddings', '/models'];

/**
 * The base URL without a trailing slash; credentials in it are refused and never shown. A string
 * that is not such a URL is a `RangeError` naming `name`: the type is right, the value is not.
 */
export function normaliseBaseUrl(raw: string, name: string): string {
  // What an error may show of the value: never a password or a query (`?key=`) written into it.
  const shown = displayUrl(raw);
  const text = raw.trim();
  // URL parsing would drop a tab or a line break inside without a word (`a\nb`: host `ab`).
  if (hasControlOrEdgeSpace(text)) {
    fail(name, URL_WITHOUT_CONTROLS, shown, true);
  }
  refuseMissingScheme(name, text, shown);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return fail(name, 'a URL such as "https://api.openai.com/v1"', shown, true);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    fail(name, 'an http: or https: URL', shown, true);
  }
  if (url.username !== '' || url.password !== '') {
    fail(name, 'a URL without credentials (pass the key as `apiKey`)', shown, true);
  }
  if (url.search !== '' || url.hash !== '') {
    fail(
      name,
      'a URL without query or fragment (a key goes in `apiKey`, other parameters in `headers`)',
      shown,
      true,
    );
  }
  const path = url.pathname.replace(/\/+$/, '');
  const endpoint = ENDPOINT_PATHS.find((suffix) => path.endsWith(suffix));
  if (endpoint !== undefined) {
    const use = `${url.origin}${path.slice(0, -endpoint.length)}`;
    fail(
      name,
      `the API's base URL, without the endpoint each call appends (\`${endpoint}\`): use ${JSON.stringify(displayUrl(use))}`,
      shown,
      true,
    );
  }
  return `${url.origin}${path}`;
}

/** Validates this package's own options (the core validates the shared ones). */
export function validateOptions(options: OpenAIProviderOptions): void {
  // An array would be read as options with no key: the defaults, the user's settings lost.
  // (Through `unknown`: the guard would narrow `options` to a record of unknown values.)
  const given: unknown = options;
  if (!isPlainObject(given)) fail('options', 'an object', options);
  expectKnownKeys(undefined, options, OPTION_KEYS, CORE_OPTION_ALIASES);
  const preset: unknown = options.preset;
  if (isPlainObject(preset)) customPreset(preset);
  else if (typeof preset === 'string') expectOneOf('preset', preset, PRESET_NAMES);
  else if (preset !== undefined) {
    fail(
      'preset',
      `one of ${PRESET_NAMES.join(', ')}, or a preset object \`{ name, baseUrl, ... }\``,
      preset,
    );
  }
  // Each a string (else a `TypeError`); a string of the wrong shape is a `RangeError`.
  for (const key of ['baseUrl', 'organization', 'project', 'authHeader'] as const) {
    // An empty or blank organization or project would be sent as an empty header, naming none
    // (and hiding `OPENAI_ORG_ID` / `OPENAI_PROJECT_ID`, which an option overrides).
    const value = options[key];
    if (key === 'baseUrl') {
      if (value !== undefined) expectUrlString(key, value);
    } else optionalString(key, value, key === 'organization' || key === 'project');
    if (typeof value === 'string' && /[\r\n]/.test(value)) {
      // Checked before the URL is read: a base URL is shown as any URL in an error is.
      // A base URL is worded as for any control character in it (as @x/provider-ollama words it).
      if (key === 'baseUrl') fail(key, URL_WITHOUT_CONTROLS, displayUrl(value), true);
      fail(key, 'a string without CR or LF', value, true);
    }
    // Sent as header values: a byte a header cannot hold would fail every call in undici.
    if ((key === 'organization' || key === 'project') && typeof value === 'string') {
      if (!isFieldValue(value)) fail(key, 'a value an HTTP header can hold', value, true);
    }
  }
  if (options.authHeader !== undefined && !/^[!#$%&'*+.^_`|~0-9a-z-]+$/i.test(options.authHeader)) {
    fail('authHeader', 'an HTTP header name', options.authHeader, true);
  }
  // Another type is the core's `TypeError`; a character no header may hold, its `RangeError`.
  if (typeof options.apiKey === 'string') {
    expectKeyAlone('apiKey', options.apiKey, options.authHeader !== undefined, KEY_SENT_AS);
  }
  optionalBoolean('learnLimits', options.learnLimits);
  if (options.completeAs !== undefined) {
    expectOneOf('completeAs', options.completeAs, ['stream', 'whole']);
  }
  const windows = options.contextWindows;
  if (windows !== undefined) {
    if (!isPlainObject(windows))
      fail('contextWindows', 'an object of model names to token counts', windows);
    for (const [model, window] of Object.entries(windows)) {
      expectNumber(`contextWindows.${model}`, window, { min: 1, integer: true });
    }
  }
}

/**
 * Where to call and with which key: the options first, then (preset `openai`) `OPENAI_BASE_URL`,
 * `OPENAI_API_KEY`, `OPENAI_ORG_ID` and `OPENAI_PROJECT_ID` as OpenAI's own client reads them,
 * or the preset's own key variable (`GROQ_API_KEY`...), then the preset.
 *
 * @throws {TypeError} when a hosted API at its own address has no key: it would refuse every call.
 */
export function resolveConnection(options: OpenAIProviderOptions): Resolved {
  const given = options.preset ?? 'openai';
  const custom =
    typeof given === 'string' ? undefined : customPreset(given as Record<string, unknown>);
  const name = custom?.name ?? (given as OpenAIPresetName);
  const preset = custom ?? openAIPresets[given as OpenAIPresetName];
  // A custom preset's address is checked as the option's is, whether or not `baseUrl` wins.
  const presetUrl =
    custom === undefined ? preset.baseUrl : normaliseBaseUrl(custom.baseUrl, 'preset.baseUrl');
  const isOpenAI = name === 'openai';
  const envBase =
    isOpenAI && options.baseUrl === undefined ? readEnv('OPENAI_BASE_URL') : undefined;
  const from =
    envBase !== undefined
      ? 'OPENAI_BASE_URL'
      : options.baseUrl !== undefined
        ? 'baseUrl'
        : 'preset.baseUrl';
  const baseUrl = normaliseBaseUrl(options.baseUrl ?? envBase ?? presetUrl, from);
  // Only a key left out falls back to the environment: `null` goes on to the core, which refuses
  // it as it refuses every other option set to null (`organization`, `headers`...).
  let apiKey = options.apiKey;
  if (apiKey === undefined && preset.apiKeyEnv !== undefined) {
    apiKey = readEnv(preset.apiKeyEnv);
    // Checked as the option is (`validateOptions`), naming the variable.
    if (apiKey !== undefined) {
      expectKeyAlone(preset.apiKeyEnv, apiKey, options.authHeader !== undefined, KEY_SENT_AS);
    }
  }
  // A hosted API at its own address refuses every call without the key its preset names (a
  // custom preset that names none may be a gateway that takes none).
  if (
    apiKey === undefined &&
    options.getApiKey === undefined &&
    !preset.local &&
    preset.apiKeyEnv !== undefined &&
    baseUrl === presetUrl
  ) {
    // A variable set to blank reads as unset: say so, since the shell shows it as set.
    const blank =
      process.env[preset.apiKeyEnv] === undefined
        ? ''
        : ` (${preset.apiKeyEnv} is set but blank, which reads as unset)`;
    throw new TypeError(
      `Expected \`apiKey\` (or the ${preset.apiKeyEnv} environment variable) to be set: ${preset.label} refuses calls without a key${blank}`,
    );
  }
  const headers: Record<string, string> = {};
  const organization = options.organization ?? (isOpenAI ? readEnv('OPENAI_ORG_ID') : undefined);
  const project = options.project ?? (isOpenAI ? readEnv('OPENAI_PROJECT_ID') : undefined);
  if (organization !== undefined) headers['openai-organization'] = organization;
  if (project !== undefined) headers['openai-project'] = project;
  const family = custom === undefined ? (name as OpenAIPresetName) : custom.family;
  const openAIServer = family === 'openai' && (custom !== undefined || isOpenAIHost(baseUrl));
  // (only the built-in `openai` preset: one of your own that extends it is OpenAI's API)
  const served =
    family === 'openai' && !openAIServer
      ? atGateway(preset, gatewayLabel(baseUrl, options.name), baseUrl)
      : preset;
  return {
    name,
    preset: served,
    family,
    baseUrl,
    openAIServer,
    apiKey,
    headers,
    reach: connectionAdvice(served, baseUrl, from),
  };
}
