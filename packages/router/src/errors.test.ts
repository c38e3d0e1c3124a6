import { revokedProxy, throwingProxy } from '@x/internal/testing';
import { describe, expect, it } from 'vitest';
import {
  isRouterClosedError,
  isRouterCloseTimeoutError,
  isRouterError,
  RouterClosedError,
  RouterCloseTimeoutError,
  RouterError,
} from './errors';
// The guards as a user imports them: from @x/router itself (its README's Errors section).
import { isProviderError, isProviderErrorOfKind, ProviderError } from './index';

describe('RouterError', () => {
  it('reads as a provider error of the last failure kind, with a stable code', () => {
    const cause = new Error('down');
    const error = new RouterError({
      group: 'chat',
      attempts: [
        {
          deployment: 'a',
          group: 'chat',
          model: 'm',
          error: { name: 'Skipped', code: 'X_ROUTER_COOLDOWN', kind: 'circuit-open', message: 'x' },
          skipped: 'cooldown',
          durationMs: 0,
        },
      ],
      errors: [cause],
      kind: 'circuit-open',
      retryable: true,
      retryAfterMs: 250,
    });
    expect(error).toMatchObject({
      name: 'RouterError',
      code: 'X_ROUTER_ALL_FAILED',
      provider: 'router',
      kind: 'circuit-open',
      retryable: true,
      retryAfterMs: 250,
      group: 'chat',
    });
    expect(error.cause).toBe(cause);
    expect(error.message).toBe(
      'Every deployment of "chat" failed or was unavailable (a: skipped (cooldown))',
    );
    expect(isProviderErrorOfKind(error, 'circuit-open')).toBe(true);
    expect(error).toBeInstanceOf(ProviderError);
    expect(Object.isFrozen(error.attempts)).toBe(true);
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({ code: 'X_ROUTER_ALL_FAILED' });
  });

  it('is recognised by its brand across duplicate installs, not by its prototype', () => {
    const foreign = Object.create(null) as object;
    Object.defineProperty(foreign, Symbol.for('@x/router/RouterError'), { value: true });
    expect(isRouterError(foreign)).toBe(true);
    expect(isRouterError(new Error('x'))).toBe(false);
    const closed = new RouterClosedError();
    expect(isRouterClosedError(closed)).toBe(true);
    expect(isRouterError(closed)).toBe(false);
    expect(isProviderError(closed)).toBe(true);
    expect(closed).toMatchObject({ code: 'X_ROUTER_CLOSED', kind: 'closed' });
    // A new user's first question after a shutdown hook ran early: what now?
    expect(closed.message).toBe(
      'The router is closed: close() or destroy() was called; create a new router to make more calls',
    );
  });
});

describe('RouterCloseTimeoutError', () => {
  it('names what did not finish, reads as a timeout of the router, and has its own brand', () => {
    const cause = new Error('pool already destroyed');
    const error = new RouterCloseTimeoutError({
      operation: 'close',
      timeoutMs: 250,
      deployments: ['gpu-1'],
      state: true,
      cause,
    });
    expect(error).toMatchObject({
      name: 'RouterCloseTimeoutError',
      code: 'X_ROUTER_CLOSE_TIMEOUT',
      provider: 'router',
      kind: 'timeout',
      retryable: false,
      operation: 'close',
      timeoutMs: 250,
      deployments: ['gpu-1'],
      state: true,
    });
    expect(error.message).toBe(
      'The router\'s close() stopped waiting after 250 ms: the provider of deployment "gpu-1" and the shared state did not finish',
    );
    expect(error.cause).toBe(cause);
    expect(Object.isFrozen(error.deployments)).toBe(true);
    expect(isProviderErrorOfKind(error, 'timeout')).toBe(true);
    expect(isRouterCloseTimeoutError(error)).toBe(true);
    expect(isRouterError(error)).toBe(false);
    expect(isRouterClosedError(error)).toBe(false);
    const foreign = Object.create(null) as object;
    Object.defineProperty(foreign, Symbol.for('@x/router/RouterCloseTimeoutError'), {
      value: true,
    });
    expect(isRouterCloseTimeoutError(foreign)).toBe(true);
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({ code: 'X_ROUTER_CLOSE_TIMEOUT' });
  });
});

describe('names in router error messages', () => {
  it('escapes a newline or a bidi override in a group name and in a deployment id', () => {
    const error = new RouterError({
      group: 'chat\u202e',
      attempts: [],
      errors: [],
      kind: 'api',
      retryable: false,
      retryAfterMs: undefined,
    });
    expect(error.message).toBe(
      'Every deployment of "chat\\u202e" failed or was unavailable (no deployment)',
    );
    const timeout = new RouterCloseTimeoutError({
      operation: 'close',
      timeoutMs: 250,
      deployments: ['gpu\n1', 'gpu\u202e2'],
      state: false,
    });
    expect(timeout.message).toContain('deployments "gpu\\n1", "gpu\\u202e2" did not finish');
  });
});

describe('isProviderError (re-exported from @x/provider-core)', () => {
  it('returns false, never throwing, for a revoked Proxy or a Proxy whose traps throw', () => {
    for (const value of [revokedProxy(), throwingProxy()]) {
      expect(isProviderError(value)).toBe(false);
      expect(isProviderErrorOfKind(value, 'api')).toBe(false);
    }
  });
});
