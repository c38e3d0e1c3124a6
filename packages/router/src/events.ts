import { createTopics, type Topic } from '@x/internal';
import type { ProviderErrorKind } from '@x/provider-core';
import type { Operation } from './deployment';
import type { CooldownReason, StateRecoveredEvent, StateUnavailableEvent } from './state';

/** Payload of `onResponse` and `x:router:response`. */
export interface RouterResponseEvent {
  operation: Operation;
  /** The group the request named. */
  group: string;
  /** The deployment that served it. */
  deployment: string;
  /** Its group (another one after a cross-group fallback). */
  servedBy: string;
  /** Calls that failed before. */
  fallbacks: number;
  /** From the call to the answer (`stream`: to the first chunk), in ms. */
  latencyMs: number;
  /** The request's fields removed for that deployment (`dropUnknownFields`); only when any were. */
  droppedFields?: string[] | undefined;
}

/** Payload of `onError` and `x:router:error`: a call failed. */
export interface RouterErrorEvent {
  operation: Operation;
  group: string;
  /** `X_ROUTER_ALL_FAILED`, or the code of an error that never falls back. */
  code: string;
  name: string;
  /** Secrets scrubbed by the provider that raised it. */
  message: string;
  /** Calls made. */
  calls: number;
}

/** Payload of `onFallback` and `x:router:fallback`: a call moves on after a failure. */
export interface RouterFallbackEvent {
  operation: Operation;
  group: string;
  /** The deployment that failed. */
  from: string;
  /**
   * `error`: the deployment's trouble; `context-window`: the prompt did not fit; `unsupported`:
   * its server cannot take a field of the request (too old for it, `unsupportedBy: 'server'`),
   * which counts no failure against it.
   */
  reason: 'error' | 'context-window' | 'unsupported';
  code: string;
  kind: ProviderErrorKind | undefined;
  message: string;
}

/** Payload of `onCooldown` and `x:router:cooldown`: a deployment is taken out of rotation. */
export interface RouterCooldownEvent {
  deployment: string;
  group: string;
  reason: CooldownReason;
  durationMs: number;
  /** `local`: decided here; `shared`: another instance decided it. */
  source: 'local' | 'shared';
}

/** Payload of `onRecovered` and `x:router:recovered`: a deployment is back in rotation. */
export interface RouterRecoveredEvent {
  deployment: string;
  group: string;
  /** `probe`: a call here succeeded after the cooldown; `shared`: another instance said so. */
  source: 'probe' | 'shared';
  /** How long it was out, in ms. */
  outForMs: number;
}

/** Every event of a router, by name (no index signature: `keyof` is the event names). */
export interface RouterEventMap {
  response: RouterResponseEvent;
  error: RouterErrorEvent;
  fallback: RouterFallbackEvent;
  cooldown: RouterCooldownEvent;
  recovered: RouterRecoveredEvent;
  'state-unavailable': StateUnavailableEvent;
  'state-recovered': StateRecoveredEvent;
}

export type RouterTopics = { [K in keyof RouterEventMap]: Topic<RouterEventMap[K]> };

export function createRouterTopics(): RouterTopics {
  return createTopics<RouterEventMap>('router', [
    'response',
    'error',
    'fallback',
    'cooldown',
    'recovered',
    'state-unavailable',
    'state-recovered',
  ]);
}
