import {
  displayUrl,
  expectKnownKeys,
  expectNumber,
  expectOneOf,
  expectSharedName,
  expectUrlString,
  fail,
  hideSecretShapes,
  isBlank,
  isPlainObject,
  optionalBoolean,
  optionalString,
  REDACTED,
  URL_WITHOUT_CONTROLS,
} from '@x/internal';
import type { Provider as TokensProvider } from '@x/tokens';
import {
  ANY_EMBEDDING_INPUT,
  type OpenAIPreset,
  type OpenAIPresetName,
  openAIPresets,
  PRESET_NAMES,
} from './presets';
import { REFUSED_FIELDS } from './server-refusals';

/**
 * A preset of your own, for an API this package has no preset for (a gateway, a proxy, another
 * OpenAI-compatible server) or a built-in one under another name: its `name` and `baseUrl`, and
 * any field of {@link OpenAIPreset} (its rate, token method, dialect). A field left out is the
 * one of the preset it `extends`, or a generic OpenAI-compatible server's: `max_tokens`, `seed`,
 * `dimensions`, float embeddings, usage in streams, `developer` sent as `system`, 10 requests per
 * second, OpenAI's token count, hosted, nothing refused. `apiKeyEnv` is never inherited: a key variable is
 * read only when the preset names it, so another API's key never goes to this one.
 */
export type OpenAICustomPreset = {
  /**
   * Names the provider (`provider.preset`, the `provider` label of metrics, the limiter's key,
   * the cache's namespace): a label of 1 to 200 printable characters, other than a built-in
   * preset's.
   */
  name: string;
  /** The API's base URL, with its version prefix, as the `baseUrl` option (which wins over it). */
  baseUrl: string;
  /** The built-in preset whose fields the ones left out take. */
  extends?: OpenAIPresetName | undefined;
} & { -readonly [K in Exclude<keyof OpenAIPreset, 'baseUrl'>]?: OpenAIPreset[K] | undefined };

/** A preset resolved: every field, and the name it is known by. */
export interface NamedPreset extends OpenAIPreset {
  readonly name: string;
  /** The built-in preset it is, or extends (its breaker preset is the provider's default). */
  readonly family: OpenAIPresetName | undefined;
}

/** What a custom preset that extends nothing starts from: a generic OpenAI-compatible server. */
const GENERIC: OpenAIPreset = Object.freeze({
  label: '',
  baseUrl: '',
  apiKeyEnv: undefined,
  requestsPerSecond: 10,
  rateSource: 'a conservative default for an API without a preset of its own',
  tokens: 'openai',
  local: false,
  maxTokensField: 'max_tokens',
  seedField: 'seed',
  dimensionsField: 'dimensions',
  embeddingsEncoding: 'float',
  streamUsage: true,
  contextWindow: undefined,
  refusedFields: [],
  developerRole: 'system',
  thinkingEcho: undefined,
  imageTypes: undefined,
  fileTypes: undefined,
  embeddingInput: ANY_EMBEDDING_INPUT,
  usageAfterFinish: false,
});

const KEYS = ['name', 'extends', ...Object.keys(GENERIC)] as const;
// Every token profile of `@x/tokens`: a `Record` over them fails to compile when one is added.
const TOKEN_PROFILES = Object.keys({
  openai: true,
  anthropic: true,
  gemini: true,
  mistral: true,
  perplexity: true,
  ollama: true,
} satisfies Record<TokensProvider, true>);

/** A MIME type as a data URL writes it (`image/png`, `application/pdf`): lower case, no parameters. */
const MIME = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/;

/**
 * An optional non-empty list of MIME types: the types are compared with the ones a data URL
 * names, so a bare extension (`'png'`) would refuse every image and file at call time, and an
 * empty list every one (leave the field out to send any).
 */
function optionalTypes(name: string, value: unknown): readonly string[] | undefined {
  if (value === undefined) return undefined;
  const what = 'a non-empty array of MIME types ("image/png")';
  if (!Array.isArray(value)) fail(name, what, value);
  if (value.length === 0) fail(name, what, value, true);
  for (let i = 0; i < value.length; i++) {
    if (typeof value[i] !== 'string') fail(`${name}[${i}]`, 'a MIME type ("image/png")', value[i]);
    if (!MIME.test(value[i])) {
      fail(`${name}[${i}]`, 'a lower-case MIME type such as "image/png"', value[i], true);
    }
  }
  return Object.freeze([...value]);
}

/**
 * A variable name that passes the shell's rule, and that is not a key given in its place
 * (`apiKeyEnv: process.env.MISTRAL_API_KEY`: a Mistral key, 32 letters and digits, or Groq's
 * `gsk_` and 52, passes the shell's rule). Refused: a run of 16 or more letters and digits mixing
 * both, or of 32 or more of any, or a run of 20 or more mixing upper and lower case (a
 * generated key's; names are UPPER_SNAKE_CASE by convention, their words short), unless a
 * variable of that name is set: a key is never the name of one, so a long camelCase name that
 * the environment holds (`myGatewayApiKeyValue`) is taken. Never shown when refused: an error
 * message may reach a log.
 */
function apiKeyEnvName(value: unknown): string | undefined {
  const name = optionalString('preset.apiKeyEnv', value);
  if (name === undefined) return undefined;
  const keyLike =
    !Object.hasOwn(process.env, name) &&
    (hideSecretShapes(name) !== name ||
      /[A-Za-z0-9]{32}/.test(name) ||
      (/[a-z]/.test(name) && /[A-Z]/.test(name) && /[A-Za-z0-9]{20}/.test(name)));
  if (keyLike || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    fail(
      'preset.apiKeyEnv',
      'the name of an environment variable ("MY_API_KEY"), never the key itself',
      REDACTED,
      true,
    );
  }
  return name;
}

/** `{ field, turns }`, or undefined. */
function optionalEcho(value: unknown): OpenAIPreset['thinkingEcho'] {
  if (value === undefined) return undefined;
  if (!isPlainObject(value)) fail('preset.thinkingEcho', '`{ field, turns }`', value);
  expectKnownKeys('preset.thinkingEcho', value, ['field', 'turns']);
  const field = expectOneOf('preset.thinkingEcho.field', value.field, [
    'reasoning_content',
    'reasoning',
    'thinking-chunk',
  ]);
  const turns = expectOneOf('preset.thinkingEcho.turns', value.turns, ['tool-calls', 'all']);
  return Object.freeze({ field, turns });
}

/** `embeddingInput`, each field left out the base's. */
function embeddingInput(value: unknown, base: OpenAIPreset['embeddingInput']) {
  if (value === undefined) return base;
  const at = 'preset.embeddingInput';
  if (!isPlainObject(value)) fail(at, '`{ emptyText?, tokenIds?, maxItems? }`', value);
  expectKnownKeys(at, value, ['emptyText', 'tokenIds', 'maxItems']);
  const rules = { ...base };
  const emptyText = optionalBoolean(`${at}.emptyText`, value.emptyText);
  const tokenIds = optionalBoolean(`${at}.tokenIds`, value.tokenIds);
  if (emptyText !== undefined) rules.emptyText = emptyText;
  if (tokenIds !== undefined) rules.tokenIds = tokenIds;
  if (value.maxItems !== undefined) {
    rules.maxItems = expectNumber(`${at}.maxItems`, value.maxItems, { min: 1, integer: true });
  }
  return Object.freeze(rules);
}

/**
 * A custom preset, checked field by field (each error names `preset.<field>`) and completed from
 * the preset it extends; its `baseUrl` is checked as a URL where the connection is resolved.
 * @throws {TypeError | RangeError} for a malformed preset, before anything is sent.
 */
export function customPreset(value: Record<string, unknown>): NamedPreset {
  expectKnownKeys('preset', value, KEYS);
  const name = expectSharedName(value.name, 'preset.name');
  // A blank name would name the cache's namespace and the metrics label, and be refused there.
  if (isBlank(name)) fail('preset.name', 'a label with a printable character', name, true);
  if ((PRESET_NAMES as readonly string[]).includes(name)) {
    fail(
      'preset.name',
      `a name other than a built-in preset's (start from it with \`extends: ${JSON.stringify(name)}\`)`,
      name,
      true,
    );
  }
  expectUrlString('preset.baseUrl', value.baseUrl);
  if (/[\r\n]/.test(value.baseUrl)) {
    fail('preset.baseUrl', URL_WITHOUT_CONTROLS, displayUrl(value.baseUrl), true);
  }
  const family =
    value.extends === undefined
      ? undefined
      : expectOneOf('preset.extends', value.extends, PRESET_NAMES);
  const base = family === undefined ? GENERIC : openAIPresets[family];
  const label = value.label === undefined ? name : expectSharedName(value.label, 'preset.label');
  const apiKeyEnv = apiKeyEnvName(value.apiKeyEnv);
  const pick = <T>(read: (v: unknown) => T | undefined, key: keyof OpenAIPreset): T =>
    read(value[key]) ?? (base[key] as T);
  const one =
    <T extends string>(key: keyof OpenAIPreset, choices: readonly T[]) =>
    (v: unknown) =>
      v === undefined ? undefined : expectOneOf(`preset.${key}`, v, choices);
  const flag = (key: keyof OpenAIPreset) => (v: unknown) => optionalBoolean(`preset.${key}`, v);
  const refused = value.refusedFields;
  if (refused !== undefined && !Array.isArray(refused)) {
    fail('preset.refusedFields', 'an array of field names', refused);
  }
  const rate = (v: unknown) =>
    v === undefined
      ? undefined
      : expectNumber('preset.requestsPerSecond', v, { min: 0, exclusiveMin: true });
  const given = value.requestsPerSecond !== undefined;
  return Object.freeze({
    name,
    family,
    label,
    baseUrl: value.baseUrl,
    apiKeyEnv,
    requestsPerSecond: pick(rate, 'requestsPerSecond'),
    rateSource:
      optionalString('preset.rateSource', value.rateSource) ??
      (given ? 'the preset of your own' : base.rateSource),
    tokens: pick(one('tokens', TOKEN_PROFILES as readonly TokensProvider[]), 'tokens'),
    local: pick(flag('local'), 'local'),
    maxTokensField: pick(
      one('maxTokensField', ['max_tokens', 'max_completion_tokens'] as const),
      'maxTokensField',
    ),
    seedField: pick(one('seedField', ['seed', 'random_seed'] as const), 'seedField'),
    dimensionsField: pick(
      one('dimensionsField', ['dimensions', 'output_dimension'] as const),
      'dimensionsField',
    ),
    embeddingsEncoding: pick(
      one('embeddingsEncoding', ['float', 'base64'] as const),
      'embeddingsEncoding',
    ),
    streamUsage: pick(flag('streamUsage'), 'streamUsage'),
    contextWindow:
      value.contextWindow === undefined
        ? base.contextWindow
        : expectNumber('preset.contextWindow', value.contextWindow, { min: 1, integer: true }),
    refusedFields:
      refused === undefined
        ? base.refusedFields
        : Object.freeze(
            refused.map((f, i) => expectOneOf(`preset.refusedFields[${i}]`, f, REFUSED_FIELDS)),
          ),
    developerRole: pick(one('developerRole', ['developer', 'system'] as const), 'developerRole'),
    thinkingEcho:
      value.thinkingEcho === undefined ? base.thinkingEcho : optionalEcho(value.thinkingEcho),
    imageTypes: optionalTypes('preset.imageTypes', value.imageTypes) ?? base.imageTypes,
    fileTypes: optionalTypes('preset.fileTypes', value.fileTypes) ?? base.fileTypes,
    embeddingInput: embeddingInput(value.embeddingInput, base.embeddingInput),
    usageAfterFinish: pick(flag('usageAfterFinish'), 'usageAfterFinish'),
  });
}
