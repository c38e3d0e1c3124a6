import {
  type Deferred,
  deferred,
  fail,
  type InspectArgs,
  inspectStats,
  LazyIterable,
  LeavableIterator,
  optionalSignal,
  quoted,
} from '@x/internal';
import { expectPlainArgument } from '@x/provider-core';
import type { Deployment, Operation } from './deployment';
import type { DeploymentOptions } from './deployment-options';
import { checkTokenIds, isTokenIds } from './embed-input';
import type {
  RouterCooldownEvent,
  RouterErrorEvent,
  RouterFallbackEvent,
  RouterRecoveredEvent,
  RouterResponseEvent,
} from './events';
import { expectGroup, type RouterOptions, resolveOptions } from './options';
import { renderPrometheus } from './prometheus';
import { type IncomingRequest, routeCall } from './route-call';
import { routeStream } from './route-stream';
import { RouterRuntime } from './runtime';
import { attempt, type Closing, settleWithin } from './shutdown';
import type { StateRecoveredEvent, StateUnavailableEvent } from './state';
import { type RouterStats, snapshot } from './stats';
import type {
  ChunkOf,
  EmbedRequestOf,
  EmbedResponseOf,
  RequestOf,
  ResponseOf,
  RoutableProvider,
  Routed,
  RouteRequestFields,
} from './types';

/** The provider type of a router's deployments (a union when they mix providers). */
export type ProviderOf<D extends DeploymentOptions> = D['provider'];

/**
 * The model groups of a router's deployments: their names, as literals, when the deployments are
 * written out in `createRouter` (or `as const`), so a misspelt `model` does not compile; `string`
 * when a deployment's group is one (deployments built from configuration).
 */
export type GroupOf<D extends DeploymentOptions> = D['group'];
/**
 * The groups an `embed()` can name: those with a deployment whose provider has `embed()` (every
 * group when a provider's type leaves it optional, as `RoutableProvider` does).
 */
export type EmbedGroupOf<D extends DeploymentOptions> = D extends unknown
  ? [EmbedRequestOf<D['provider']>] extends [never]
    ? never
    : D['group']
  : never;

/**
 * A provider's request with `model` a group name `G`: distributed over the providers' requests,
 * each keeping its own fields. Its own `model` is left out, not intersected: a router as a
 * deployment's provider types `model` as its own groups, which the outer router's names replace.
 */
type NamingGroup<R, G extends string> = R extends unknown
  ? Omit<R, 'model'> & {
      /** The model group the call goes to: one of the router's `groups`. */
      model: G;
    }
  : never;

/** A request of the router: a request of its providers whose `model` names a model group. */
export type RouterRequest<D extends DeploymentOptions = DeploymentOptions> = NamingGroup<
  RequestOf<ProviderOf<D>>,
  GroupOf<D>
> &
  RouteRequestFields;
/**
 * An embedding request of the router: a request of its providers' `embed()` (text, or token ids
 * where a provider takes them; each provider's own fields) whose `model` names a model group.
 */
export type RouterEmbedRequest<D extends DeploymentOptions = DeploymentOptions> = NamingGroup<
  EmbedRequestOf<ProviderOf<D>>,
  EmbedGroupOf<D>
> &
  RouteRequestFields;
/**
 * A chunk of a routed stream: the provider's chunk as it is (the fields its provider adds
 * included: `@x/provider-openai`'s `requestId` and `annotations`), the last one's `response`
 * carrying `route`. Distributed over the chunk union, each `done: true` member routed on its
 * own; the chunk is never rebuilt from its answer type, which would lose the fields of the chunk.
 */
export type RoutedChunk<C> = C extends { done: true; response: infer R }
  ? C & { response: Routed<R> }
  : C;

/**
 * A provider over providers: each call names a model group, and the router sends it to one of the
 * group's deployments (by the strategy), falling back to the next deployment, then to the
 * fallback groups, when one fails for a reason another could fix. See {@link createRouter}.
 */
// `const`: the group names written out are kept as literals (`'chat'`, not `string`), for `model`.
export class Router<const D extends DeploymentOptions = DeploymentOptions> {
  readonly #rt: RouterRuntime;
  #closing: Promise<void> | undefined;
  /** What `close()` returns, for a `destroy()` to settle, and the end of its own wait. */
  #closeWait: { answer: Deferred<void>; stop: AbortController } | undefined;
  #destroying: Promise<void> | undefined;
  #unbinding: Promise<unknown> | undefined;

  constructor(options: RouterOptions<D>) {
    this.#rt = new RouterRuntime(resolveOptions(options));
  }

  /** The model groups requests can name. */
  get groups(): GroupOf<D>[] {
    return [...this.#rt.tiers.keys()] as GroupOf<D>[];
  }

  /** True once {@link close} was called. */
  get closed(): boolean {
    return this.#rt.closed;
  }

  /**
   * A chat answer from the first deployment that gives one; `route` says which, and what failed
   * before.
   * @throws {TypeError | RangeError} (rejected) for a request the router or the provider refuses.
   * @throws {RouterError} (rejected) when every deployment failed or was unavailable.
   */
  async complete(request: RouterRequest<D>): Promise<Routed<ResponseOf<ProviderOf<D>>>> {
    const group = this.#check(request, 'complete');
    return routeCall(this.#rt, 'complete', group, request as unknown as IncomingRequest);
  }

  /**
   * A streamed chat answer. Falls back only until the first chunk: after that, a failure reaches
   * the caller. The last chunk's `response` carries `route`. Leaving the loop aborts the call, and
   * so does `return()` or `throw()` while a `next()` is pending, which then settles done at once.
   * @throws {TypeError | RangeError} at once for a request the router refuses.
   */
  stream(request: RouterRequest<D>): AsyncIterable<RoutedChunk<ChunkOf<ProviderOf<D>>>> {
    const group = this.#check(request, 'stream');
    const rt = this.#rt;
    return new LazyIterable(() => {
      // Its `leave` hook: `return()` or `throw()` while a read is pending ends the call at once
      // (the provider's stream returned, its request aborted, queued or not), not when the
      // provider's next chunk comes.
      const iterator = new LeavableIterator<RoutedChunk<ChunkOf<ProviderOf<D>>>>();
      return iterator.of(
        routeStream(rt, group, request as unknown as IncomingRequest, iterator) as AsyncGenerator<
          RoutedChunk<ChunkOf<ProviderOf<D>>>
        >,
      );
    });
  }

  /**
   * Embeddings from the first deployment of the group that gives them. An `input` of token ids
   * goes only to deployments that take them (`embedTokenIds`), the others passed over.
   * @throws {TypeError | RangeError} (rejected) for a request the router or the provider refuses:
   * token ids no deployment the call can reach takes, or that deployments of two models would.
   * @throws {RouterError} (rejected) when every deployment failed or was unavailable.
   */
  async embed(request: RouterEmbedRequest<D>): Promise<Routed<EmbedResponseOf<ProviderOf<D>>>> {
    const group = this.#check(request, 'embed');
    return routeCall(this.#rt, 'embed', group, request as unknown as IncomingRequest);
  }

  /** A JSON-serialisable snapshot: calls, fallbacks, cooldowns, each deployment. Never resets. */
  stats(): RouterStats {
    const rt = this.#rt;
    return snapshot(
      rt.counters,
      rt.deployments,
      rt.strategy,
      rt.state?.stats() ?? { kind: 'local' },
    );
  }

  /** Every statistic in the Prometheus text format, each name `x_router_*`. */
  toPrometheus(): string {
    return renderPrometheus(this.stats());
  }

  /**
   * `console.log(router)` (`util.inspect`): `Router { ...stats() }`. Like `stats()`, it reads each
   * deployment's breaker `state`, which turns an open breaker past its open period half-open.
   */
  [Symbol.for('nodejs.util.inspect.custom')](...args: InspectArgs): string {
    return inspectStats('Router', this, ...args);
  }

  /** Called when a call is answered. Returns an unsubscribe function. */
  onResponse(listener: (event: RouterResponseEvent) => void): () => void {
    return this.#rt.topics.response.on(listener);
  }

  /** Called when a call fails. Returns an unsubscribe function. */
  onError(listener: (event: RouterErrorEvent) => void): () => void {
    return this.#rt.topics.error.on(listener);
  }

  /** Called when a call moves on to another deployment after a failure. */
  onFallback(listener: (event: RouterFallbackEvent) => void): () => void {
    return this.#rt.topics.fallback.on(listener);
  }

  /** Called when a deployment is taken out of rotation (here or by another instance). */
  onCooldown(listener: (event: RouterCooldownEvent) => void): () => void {
    return this.#rt.topics.cooldown.on(listener);
  }

  /** Called when a deployment is back in rotation. */
  onRecovered(listener: (event: RouterRecoveredEvent) => void): () => void {
    return this.#rt.topics.recovered.on(listener);
  }

  /** Called when the shared state stops answering (the router keeps its own view). */
  onStateUnavailable(listener: (event: StateUnavailableEvent) => void): () => void {
    return this.#rt.topics['state-unavailable'].on(listener);
  }

  /** Called when the shared state answers again. */
  onStateRecovered(listener: (event: StateRecoveredEvent) => void): () => void {
    return this.#rt.topics['state-recovered'].on(listener);
  }

  /**
   * Stops accepting calls and waits for the calls in flight to end their current attempt (none
   * starts another; a stream ends when its consumer finishes or leaves the loop), then unbinds the
   * shared state and with `closeProviders: true` closes every provider: a provider closed under a
   * call would refuse it. Those are waited for at most `closeTimeoutMs`; past it the promise
   * rejects with `RouterCloseTimeoutError` naming what did not finish. Idempotent: every caller
   * gets the same promise, which a {@link destroy} called meanwhile settles as its own.
   * @throws {RouterCloseTimeoutError} (rejected) when the state or a provider did not finish in time.
   */
  close(): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    const rt = this.#rt;
    rt.closed = true;
    const wait = { answer: deferred<void>(), stop: new AbortController() };
    this.#closing = wait.answer.promise;
    this.#closeWait = wait;
    rt.idle()
      .then(() => {
        // destroy() came while the calls ended: it closes everything, and answers for both
        if (this.#destroying !== undefined) return this.#destroying;
        const closings = this.#owned().map(([provider, deployments]) => ({
          deployments,
          done: attempt(() => provider.close?.()),
        }));
        const all = [this.#stateClosing(), ...closings];
        return settleWithin('close', all, rt.closeTimeoutMs, wait.stop.signal);
      })
      .then(wait.answer.resolve, wait.answer.reject);
    return this.#closing;
  }

  /**
   * {@link close}, without waiting for the calls in flight: every call of the router in flight
   * ends at once with `RouterClosedError`, whatever its provider does (one that never settles
   * included): a call waiting for a provider's answer, a stream's next chunk, a window lookup or
   * a probe claim, and a stream whose caller holds a chunk. They count as cancelled: no failure or
   * cooldown of their deployments, nothing told the other instances; what their providers do
   * afterwards is dropped. With `closeProviders: true` every provider is destroyed too (its
   * `destroy()`, else its `close()`), which ends their own work; without it the providers are
   * yours, and a call of theirs the router let go of runs on until it ends (a stream is
   * returned). Then the shared state is unbound. Those are waited for at most `closeTimeoutMs`,
   * as by `close()`. A `close()` in progress settles with it. Idempotent.
   * @throws {RouterCloseTimeoutError} (rejected) when the state or a provider did not finish in time.
   */
  destroy(): Promise<void> {
    if (this.#destroying !== undefined) return this.#destroying;
    const rt = this.#rt;
    rt.closed = true;
    // Destroyed first: their calls in flight end now, which is what close() waits for.
    const closings = this.#owned().map(([provider, deployments]) => ({
      deployments,
      done: attempt(() => (provider.destroy ? provider.destroy() : provider.close?.())),
    }));
    // Not left to the providers' destruction: a provider of the caller's own may ignore it, or
    // never settle, and a stream whose caller holds a chunk is suspended out of its reach.
    rt.endCalls();
    this.#destroying = settleWithin(
      'destroy',
      [this.#stateClosing(), ...closings],
      rt.closeTimeoutMs,
    );
    const wait = this.#closeWait;
    if (wait === undefined) this.#closing = this.#destroying;
    else {
      // A close() in progress (waiting, maybe, for a provider's close() that never settles)
      // answers as this does, and its own wait stops with its timer.
      wait.stop.abort();
      this.#destroying.then(wait.answer.resolve, wait.answer.reject);
    }
    return this.#destroying;
  }

  /** The shared state's `close()`, called once whether `close()`, `destroy()` or both ask. */
  #stateClosing(): Closing {
    const rt = this.#rt;
    this.#unbinding ??= attempt(() => rt.state?.close());
    return { deployments: undefined, done: this.#unbinding };
  }

  /** With `closeProviders`, each provider once, with the ids of its deployments. */
  #owned(): [RoutableProvider, string[]][] {
    const rt = this.#rt;
    if (!rt.closeProviders) return [];
    const owned = new Map<RoutableProvider, string[]>();
    for (const d of rt.deployments) {
      const ids = owned.get(d.provider);
      if (ids === undefined) owned.set(d.provider, [d.id]);
      else ids.push(d.id);
    }
    return [...owned];
  }

  /** `await using router = createRouter(...)` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * Checks what the router itself reads of a request (`model`, `tags`, and an embedding input of
   * token ids, which only some deployments take); the provider checks the rest.
   */
  #check(request: unknown, op: Operation): string {
    const rt = this.#rt;
    rt.assertOpen();
    // Plain, as the providers take it: the request is copied on to a deployment (`forDeployment`),
    // and a copy keeps only own fields, so a class instance's getters would be lost on the way.
    expectPlainArgument('request', request, 'with `model`');
    const r = request as { model?: unknown; tags?: unknown; input?: unknown; signal?: unknown };
    const group = expectGroup(r.model, rt.tiers);
    // Before any deployment is called: a bad signal found only once a call is in flight would
    // fail the router's wait and leave the provider's own answer (or error) unread.
    optionalSignal('request.signal', r.signal);
    const tags = r.tags as string[] | undefined;
    // Listed once per call, and only when something reads it.
    let reachable: Deployment[] | undefined;
    if (tags !== undefined) {
      if (!Array.isArray(tags)) fail('request.tags', 'an array of strings', tags);
      // By index, not `some`: a hole of a sparse array is refused as `undefined`, not skipped.
      for (let i = 0; i < tags.length; i++) {
        if (typeof tags[i] !== 'string') fail(`request.tags[${i}]`, 'a string', tags[i]);
      }
      reachable = this.#reachable(group, tags);
      if (reachable.length === 0) {
        fail(
          'request.tags',
          `tags a deployment of ${quoted(group)} or its fallbacks carries`,
          tags,
          true,
        );
      }
    }
    if (op === 'embed' && isTokenIds(r.input)) {
      checkTokenIds(r.input, group, reachable ?? this.#reachable(group, tags));
    }
    return group;
  }

  /** The deployments a call to `group` may reach: its own, its fallbacks' (both kinds), with `tags`. */
  #reachable(group: string, tags: readonly string[] | undefined): Deployment[] {
    const rt = this.#rt;
    const groups = [
      group,
      ...(rt.fallbacks.get(group) ?? []),
      ...(rt.contextFallbacks.get(group) ?? []),
    ];
    return rt.deployments.filter((d) => groups.includes(d.group) && d.hasTags(tags));
  }
}

/**
 * Creates a {@link Router}.
 *
 * @throws {TypeError} for an option of the wrong type or an unknown option key (naming the
 * closest known one); `RangeError` for a value out of range (a duplicate id, a fallback to
 * an unknown group).
 * @example
 * const router = createRouter({
 *   deployments: [
 *     { group: 'chat', provider: createOllamaProvider({ baseUrl: 'http://gpu-1:11434' }), model: 'llama3.2' },
 *     { group: 'chat', provider: createOllamaProvider({ baseUrl: 'http://gpu-2:11434' }), model: 'llama3.2' },
 *   ],
 * });
 * const answer = await router.complete({ model: 'chat', messages: [{ role: 'user', content: 'Hi' }] });
 * console.log(answer.content, answer.route.deployment);
 */
export function createRouter<const D extends DeploymentOptions>(
  options: RouterOptions<D>,
): Router<D> {
  return new Router(options);
}
