import { fail, SharedFlight } from '@x/internal';
import { infoOrUnknown } from './context';
import { isOllamaApiError, isOllamaStreamError } from './errors';
import { ServerTooOldError } from './server-too-old-error';
import type { ChatRequest, EmbedRequest, GenerateRequest, ModelInfo } from './types';
import {
  atLeast,
  embedNeeds,
  generationNeeds,
  parseVersion,
  type Requirement,
  type Version,
} from './wire/field-versions';
import { usesHarmony } from './wire/models';

/** What the server said of its version: `version` null when it said none usable. */
interface Known {
  readonly version: Version | null;
  /** As the server wrote it, for messages (bounded: it is the server's text). */
  readonly text: string;
}

const UNKNOWN: Known = Object.freeze({ version: null, text: '' });

/** A release as servers write it (`0.12.3`, `0.13.0-rc1`), short enough to put in a message. */
const SHOWN_VERSION = /^v?\d+\.\d+\.\d+[0-9A-Za-z.+-]{0,32}$/;

function knownOf(text: string | undefined): Known {
  const version = parseVersion(text);
  if (version === undefined) return UNKNOWN;
  const trimmed = text!.trim();
  return { version, text: SHOWN_VERSION.test(trimmed) ? trimmed : version.join('.') };
}

/**
 * A server that does not serve `/api/version` (a 404 or 405 from something that speaks part of
 * Ollama's API, a proxy) or answers it with something that is not JSON: it says no version, and
 * asking again would get the same. Anything else (unreachable, busy, a key refused) fails the call
 * and is asked again by the next one.
 */
function unknowable(error: unknown): boolean {
  if (isOllamaStreamError(error)) return error.reason === 'invalid-json';
  return (
    isOllamaApiError(error) &&
    !error.retryable &&
    error.statusCode !== 401 &&
    error.statusCode !== 403
  );
}

function refusalOf(needs: readonly Requirement[], known: Known): ServerTooOldError | undefined {
  const version = known.version;
  if (version === null) return undefined;
  for (const need of needs) {
    if (atLeast(version, need.sinceVersion)) continue;
    return new ServerTooOldError({
      field: need.field,
      value: need.value,
      minVersion: need.since,
      serverVersion: known.text,
      older: need.older,
    });
  }
  return undefined;
}

/**
 * What a request asks of this server beyond its shape, checked before anything is sent:
 *
 * - fields its version does not honour (`wire/field-versions.ts`): Ollama drops a field it does
 *   not know without a word, so `logprobs` sent to 0.12.3 would come back as an answer without
 *   them. The version is read once per provider (`/api/version`), and only when a request holds
 *   such a field: lazily, one lookup shared by the calls that wait for it, kept for the
 *   provider's life (also from `initialize()` and `version()`), forgotten after a connection
 *   error (the server may come back upgraded). A server that says no usable version (`0.0.0`, a
 *   build from source; no `/api/version`) is sent what was asked, as before. ollama.com, always
 *   the newest server, is not asked.
 * - `think: false` for a gpt-oss model: Ollama serves it through its harmony parser, which takes
 *   levels only and ignores `false` (the model reasons anyway: server/routes.go gives the template
 *   no level, docs/capabilities/thinking.mdx "the trace cannot be fully disabled"). Known from the
 *   model's `/api/show`, the lookup the context windows make anyway, cached per model.
 *
 * The common request holds none of these fields and costs a few property reads, no promise.
 */
export class ServerFeatures {
  #known: Known | undefined;
  #pending: SharedFlight<Known> | undefined;
  /** Counts {@link forget} calls: a lookup that began before one does not keep its answer. */
  #epoch = 0;
  readonly #version: (signal: AbortSignal) => Promise<string | undefined>;
  readonly #info: (model: string, signal: AbortSignal | undefined) => Promise<ModelInfo>;
  /** The server is ollama.com: the newest version, never asked. */
  readonly #current: boolean;

  constructor(init: {
    version: (signal: AbortSignal) => Promise<string | undefined>;
    info: (model: string, signal: AbortSignal | undefined) => Promise<ModelInfo>;
    current: boolean;
  }) {
    this.#version = init.version;
    this.#info = init.info;
    this.#current = init.current;
  }

  /** Keeps a version the server told (`initialize()`, `version()`). */
  learn(text: string | undefined): void {
    this.#known = knownOf(text);
  }

  /** Forgets the version: the server went away, and may come back as another. */
  forget(): void {
    this.#known = undefined;
    this.#epoch++;
  }

  /**
   * Nothing to wait for (`undefined`), or a promise that settles once the request may be sent; it
   * rejects with {@link ServerTooOldError}, a `RangeError` naming `request.think`, or the error
   * of a lookup that failed. `request` was validated.
   */
  admitGeneration(
    request: ChatRequest | GenerateRequest,
    signal: AbortSignal | undefined,
  ): Promise<void> | undefined {
    const needs = this.#current ? undefined : generationNeeds(request);
    // A raw prompt is not rendered through the model's template: `think` changes nothing there.
    const harmony = request.think === false && (request as GenerateRequest).raw !== true;
    if (!harmony) return needs === undefined ? undefined : this.#admitVersion(needs, signal);
    return this.#admitLater(request.model, needs, signal);
  }

  /** {@link admitGeneration} for an embeddings request. */
  admitEmbed(request: EmbedRequest, signal: AbortSignal | undefined): Promise<void> | undefined {
    const needs = this.#current ? undefined : embedNeeds(request);
    return needs === undefined ? undefined : this.#admitVersion(needs, signal);
  }

  #admitVersion(
    needs: readonly Requirement[],
    signal: AbortSignal | undefined,
  ): Promise<void> | undefined {
    const known = this.#known;
    if (known === undefined) return this.#admitLater(undefined, needs, signal);
    const refusal = refusalOf(needs, known);
    return refusal === undefined ? undefined : Promise.reject(refusal);
  }

  /** Waits for the version (when `needs`) and the model's info (when `harmonyOf`), then checks. */
  async #admitLater(
    harmonyOf: string | undefined,
    needs: readonly Requirement[] | undefined,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const [known, info] = await Promise.all([
      needs === undefined ? undefined : this.#lookup(signal),
      harmonyOf === undefined ? undefined : infoOrUnknown(this.#info, harmonyOf, signal),
    ]);
    const refusal = known === undefined ? undefined : refusalOf(needs!, known);
    if (refusal !== undefined) throw refusal;
    if (info !== undefined && usesHarmony(info)) {
      fail(
        'request.think',
        `"low", "medium" or "high", or left out, for ${harmonyOf}: Ollama serves this gpt-oss model through its harmony parser, which ignores \`false\` (the model reasons anyway; "low" reasons least)`,
        false,
        true,
      );
    }
  }

  /**
   * The version, asked once for every call waiting for it; `signal` stops this call's wait, and
   * the last call to stop cancels the lookup (a later call asks afresh).
   */
  #lookup(signal: AbortSignal | undefined): Promise<Known> {
    const known = this.#known;
    if (known !== undefined) return Promise.resolve(known);
    let flight = this.#pending;
    if (flight === undefined) {
      const epoch = this.#epoch;
      const keep = (value: Known): Known => {
        if (epoch === this.#epoch) this.#known = value;
        return value;
      };
      const clear = (): void => {
        if (this.#pending === created) this.#pending = undefined;
      };
      // Shared: the last waiter to leave cancels it; the provider's destroy() ends it too.
      const created: SharedFlight<Known> = new SharedFlight(
        (shared) =>
          this.#version(shared).then(
            (text) => keep(knownOf(text)),
            (error: unknown) => {
              // An abandoned lookup tells nothing of the server.
              if (shared.aborted || !unknowable(error)) throw error;
              return keep(UNKNOWN);
            },
          ),
        clear,
      );
      this.#pending = created;
      created.promise.then(clear, clear);
      flight = created;
    }
    return flight.wait(signal);
  }
}
