import type { ChatRequest, EmbedRequest, GenerateRequest } from '../types';

/**
 * A version of Ollama as `[major, minor, patch]`. A release candidate counts as the release it
 * leads to (`0.12.11-rc0` is `0.12.11`): the fields below were each in the first candidate of
 * their release.
 */
export type Version = readonly [number, number, number];

/** `0.12.11`, `v0.12.11`, `0.12.11-rc0`: the three numbers; anything else is unknown. */
const VERSION = /^v?(\d+)\.(\d+)\.(\d+)(?:[-+.]|$)/;

/**
 * The version a server reports, or `undefined` when it says nothing usable. `0.0.0` is unknown
 * too: it is what Ollama built from source says (`version.Version`'s default), whatever its age.
 */
export function parseVersion(text: string | undefined): Version | undefined {
  const match = text === undefined ? null : VERSION.exec(text.trim());
  if (match === null) return undefined;
  const version = [Number(match[1]), Number(match[2]), Number(match[3])] as const;
  return version[0] === 0 && version[1] === 0 && version[2] === 0 ? undefined : version;
}

/** True when `version` is `since` or later. */
export function atLeast(version: Version, since: Version): boolean {
  for (let i = 0; i < 3; i++) {
    if (version[i]! !== since[i]!) return version[i]! > since[i]!;
  }
  return true;
}

/** A value of a request field that servers before `since` do not honour. */
export interface Requirement {
  /** The field as the request names it: `request.logprobs`. */
  readonly field: string;
  readonly value: unknown;
  /** The first Ollama release that honours it, as written in messages. */
  readonly since: string;
  readonly sinceVersion: Version;
  /** What an older server does with it instead, after "an older server ". */
  readonly older: string;
}

function requirement(field: string, value: unknown, since: string, older: string): Requirement {
  return { field: `request.${field}`, value, since, sinceVersion: parseVersion(since)!, older };
}

/**
 * The first version of each field, from `api/types.go` in ollama/ollama (the first release tag
 * whose request struct has it): `think` 0.9.0 (a boolean; a level, `ThinkValue`, 0.11.0; `"max"`
 * 0.22.0), chat's and generate's `truncate` and `shift` 0.12.6, `logprobs` and `top_logprobs`
 * 0.12.11, embed's `dimensions` 0.11.11; a `keep_alive` of a fraction of a second is read as
 * such again since 0.11.8 (from 0.1.34, `Duration.UnmarshalJSON` cut a number to whole seconds).
 * Go's JSON decoder drops a field its struct lacks without an error, so an older server answers as
 * if it had not been sent. Only values that change the answer are listed: `truncate: true` and
 * `shift: true` are what every server does anyway, and a `think` level an older server refuses
 * (400) costs nothing more to check here, its lookup being made for `think` already.
 */
function generationRequirements(
  r: Pick<ChatRequest, 'think' | 'truncate' | 'shift' | 'logprobs' | 'keepAlive'>,
  out: Requirement[],
): void {
  if (r.think !== undefined) {
    const level = typeof r.think === 'string';
    out.push(
      requirement(
        'think',
        r.think,
        r.think === 'max' ? '0.22.0' : level ? '0.11.0' : '0.9.0',
        level
          ? 'ignores it (before 0.9.0) or refuses the level with a 400'
          : 'ignores it: thinking is neither switched nor kept apart from the content',
      ),
    );
  }
  if (r.truncate === false) {
    out.push(
      requirement('truncate', false, '0.12.6', 'ignores it: a prompt too long is cut silently'),
    );
  }
  if (r.shift === false) {
    out.push(
      requirement('shift', false, '0.12.6', 'ignores it: a full window is shifted to go on'),
    );
  }
  if (r.logprobs === true) {
    out.push(
      requirement('logprobs', true, '0.12.11', 'ignores it: no log probabilities come back'),
    );
  }
  keepAliveRequirement(r.keepAlive, out);
}

function keepAliveRequirement(keepAlive: number | string | undefined, out: Requirement[]): void {
  // A negative one keeps the model loaded on every server (read before the cut).
  if (typeof keepAlive === 'number' && keepAlive > 0 && !Number.isInteger(keepAlive)) {
    out.push(
      requirement(
        'keepAlive',
        keepAlive,
        '0.11.8',
        'cuts it to whole seconds (under one: the model is unloaded at once)',
      ),
    );
  }
}

/**
 * What a chat or generate request needs of the server's version, or `undefined` when nothing (the
 * common request: a few reads, no allocation).
 */
export function generationNeeds(
  r: ChatRequest | GenerateRequest,
): readonly Requirement[] | undefined {
  if (
    r.think === undefined &&
    r.truncate !== false &&
    r.shift !== false &&
    r.logprobs !== true &&
    typeof r.keepAlive !== 'number'
  ) {
    return undefined;
  }
  const out: Requirement[] = [];
  generationRequirements(r, out);
  return out.length === 0 ? undefined : out;
}

/** What an embeddings request needs of the server's version, or `undefined` when nothing. */
export function embedNeeds(r: EmbedRequest): readonly Requirement[] | undefined {
  if (r.dimensions === undefined && typeof r.keepAlive !== 'number') return undefined;
  const out: Requirement[] = [];
  if (r.dimensions !== undefined) {
    out.push(
      requirement(
        'dimensions',
        r.dimensions,
        '0.11.11',
        'ignores it: every vector comes back at full length',
      ),
    );
  }
  keepAliveRequirement(r.keepAlive, out);
  return out.length === 0 ? undefined : out;
}
