import {
  expectKnownKeys,
  expectSharedName,
  fail,
  holdsLogin,
  isPlainObject,
  optionalBoolean,
  optionalNumber,
  REDACTED,
} from '@x/internal';
import { expectModelName } from '@x/provider-core';
import { takesTokenIdsByDefault } from './embed-input';
import type { RequestFieldsLike, RoutableProvider } from './types';

/** One deployment: a provider and the model name it is called with, in a model group. */
export interface DeploymentOptions<P extends RoutableProvider = RoutableProvider> {
  /**
   * Names the deployment in answers, errors, events, stats, metrics and the shared state (keep it
   * the same on every instance).
   * @default `${group}/${n}`, n counting the group's deployments from 0
   */
  id?: string | undefined;
  /** The model group requests name (`model: 'chat-small'`). */
  group: string;
  /** Any object with the provider methods (`@x/provider-ollama`, `@x/provider-openai`...). */
  provider: P;
  /**
   * The model name the provider is called with. It shows in stats, errors, events and metrics:
   * one holding a login (`https://bob:pw@hf.co/x`, `user:password@host/...`) is refused.
   */
  model: string;
  /**
   * Share of the traffic among deployments of the same group and priority (`weighted-random`;
   * the tie-break of the other strategies).
   * @default 1
   */
  weight?: number | undefined;
  /**
   * Deployments with a lower number are tried first; balancing happens among those of the same
   * priority. A primary and a backup: 0 and 1.
   * @default 0
   */
  priority?: number | undefined;
  /** Tags a request can ask for (`tags: ['eu']`). */
  tags?: readonly string[] | undefined;
  /**
   * Most calls of this router in flight on the deployment; a full deployment is passed over.
   * @default Infinity
   */
  maxConcurrent?: number | undefined;
  /**
   * The model's context window in tokens, for context-window fallbacks. Without it the router
   * learns it from the provider's overflow errors and `ps()` (the window of the loaded model;
   * `modelInfo()`'s trained maximum only bounds it). A request's `options.num_ctx` stands for it
   * on a deployment whose provider has `ps()` or `modelInfo()`.
   * @default undefined
   */
  contextWindow?: number | undefined;
  /**
   * Its provider's `embed()` takes token ids as `input` (`number[]`, `number[][]`). An embedding
   * call with token ids goes only to deployments that do: the others are passed over.
   * @default what its provider says: its `embeddingInput.tokenIds` when it has one; else true for
   * an `@x/provider-openai` provider (one with a `preset`) other than on preset `'ollama'`, false
   * otherwise
   */
  embedTokenIds?: boolean | undefined;
  /**
   * A request sent to this deployment loses the top-level fields its provider does not take
   * (its `requestFields`) that another provider of the call's group takes: Ollama's `think` on
   * the way to an OpenAI deployment. A field no provider of the group takes is still refused.
   * @default the router's `dropUnknownFields` (false)
   */
  dropUnknownFields?: boolean | undefined;
}

export interface ResolvedDeployment {
  id: string;
  group: string;
  provider: RoutableProvider;
  model: string;
  weight: number;
  priority: number;
  tags: readonly string[];
  maxConcurrent: number;
  contextWindow: number | undefined;
  embedTokenIds: boolean;
  dropUnknownFields: boolean;
  /** The provider's, checked; read only when a deployment of the router drops fields. */
  requestFields: RequestFieldsLike | undefined;
}

/**
 * The model a deployment's provider is called with: it shows as it is in stats, `inspect()`,
 * attempts, events and metrics, so one holding a login (a URL with a password,
 * `https://bob:pw@hf.co/x`, or a bare `user:password@host/...`) is refused, and not shown, as an
 * id or group holding a credential is. Only that shape: model names are often local paths or hold
 * a commit hash (vLLM serves a snapshot under its path), which the key-shaped rule of ids and
 * groups would refuse.
 */
function expectModel(field: string, value: unknown): string {
  // The providers' own check of a request's model (blank, too long, a control character or
  // surrounding whitespace), at build time: every call of the deployment would fail it.
  expectModelName(field, value, 'llama3.2');
  const model = value as string;
  if (holdsLogin(model)) {
    fail(field, 'a model name without credentials (never a URL with a password)', REDACTED, true);
  }
  return model;
}

const DEPLOYMENT_KEYS = [
  'id',
  'group',
  'provider',
  'model',
  'weight',
  'priority',
  'tags',
  'maxConcurrent',
  'contextWindow',
  'embedTokenIds',
  'dropUnknownFields',
] as const;

/**
 * Validates one deployment of `createRouter`'s options; `counts` numbers each group's ids,
 * `dropUnknownFields` is the router's.
 */
export function resolveDeployment(
  value: unknown,
  at: string,
  counts: Map<string, number>,
  dropUnknownFields: boolean,
): ResolvedDeployment {
  if (!isPlainObject(value)) fail(at, 'a deployment object', value);
  expectKnownKeys(at, value, DEPLOYMENT_KEYS);
  // Ids and groups appear in errors, events, stats, metrics labels and Redis keys: a label that
  // holds a credential (a URL with a password) is refused, as a provider's or breaker's name is.
  const group = expectSharedName(value.group, `${at}.group`);
  const model = expectModel(`${at}.model`, value.model);
  const provider = value.provider as RoutableProvider;
  if (
    typeof provider !== 'object' ||
    provider === null ||
    !['complete', 'stream', 'embed'].some((m) => typeof provider[m as 'complete'] === 'function')
  ) {
    fail(`${at}.provider`, 'a provider with complete(), stream() or embed()', provider);
  }
  const n = counts.get(group) ?? 0;
  counts.set(group, n + 1);
  const id = value.id === undefined ? `${group}/${n}` : expectSharedName(value.id, `${at}.id`);
  // Only undefined means none: null is refused as any other non-array.
  const tags = value.tags === undefined ? [] : value.tags;
  if (!Array.isArray(tags)) fail(`${at}.tags`, 'an array of strings', value.tags);
  // By index, not `some`: a hole of a sparse array is refused as `undefined`, not skipped.
  for (let i = 0; i < tags.length; i++) {
    if (typeof tags[i] !== 'string') fail(`${at}.tags[${i}]`, 'a string', tags[i]);
  }
  return {
    id,
    group,
    provider,
    model,
    weight: optionalNumber(`${at}.weight`, value.weight, { min: 0, exclusiveMin: true }) ?? 1,
    priority: optionalNumber(`${at}.priority`, value.priority, { min: 0, integer: true }) ?? 0,
    tags: Object.freeze([...(tags as string[])]),
    maxConcurrent:
      optionalNumber(`${at}.maxConcurrent`, value.maxConcurrent, {
        min: 1,
        integer: true,
        allowInfinity: true,
      }) ?? Number.POSITIVE_INFINITY,
    contextWindow: optionalNumber(`${at}.contextWindow`, value.contextWindow, {
      min: 1,
      integer: true,
    }),
    embedTokenIds:
      optionalBoolean(`${at}.embedTokenIds`, value.embedTokenIds) ??
      takesTokenIdsByDefault(provider, `${at}.provider`),
    dropUnknownFields:
      optionalBoolean(`${at}.dropUnknownFields`, value.dropUnknownFields) ?? dropUnknownFields,
    requestFields: undefined,
  };
}
