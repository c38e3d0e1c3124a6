import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { observedProvider } from '../__fixtures__/observed';
import type { ProviderCore, ProviderEventMap, ResponseEvent } from '../index';

const cores: ProviderCore[] = [];
afterEach(async () => {
  await Promise.all(cores.splice(0).map((core) => core.close()));
});

function core(): ProviderCore {
  const { core } = observedProvider('http://127.0.0.1:9', { retry: false });
  cores.push(core);
  return core;
}

describe('ProviderCore.on event names', () => {
  it('types the event names as the literal ones, so a misspelt name does not compile (checked by tsc)', () => {
    expectTypeOf<keyof ProviderEventMap>().toEqualTypeOf<
      'retry' | 'error' | 'response' | 'truncated' | 'context-raised' | 'cache-hit' | 'audit'
    >();
    // Never called: only its types are checked.
    const subscribe = (c: ProviderCore) => {
      c.on('response', (payload) => expectTypeOf(payload).toEqualTypeOf<ResponseEvent>());
      // @ts-expect-error: no such event
      c.on('respnse', () => {});
    };
    expect(typeof subscribe).toBe('function');
  });

  it('refuses an unknown name with a TypeError naming the closest event, not a crash reading `.on`', () => {
    const c = core();
    const misspelt = () => c.on('respnse' as never, () => {});
    expect(misspelt).toThrow(TypeError);
    expect(misspelt).toThrow(
      'Expected `event` to be a provider event (did you mean `response`?), got `"respnse"` (string)',
    );
  });

  it('lists the events for a name close to none, and takes no inherited key for one', () => {
    const c = core();
    for (const name of ['toString', 'constructor', 'zzzzzz']) {
      const call = () => c.on(name as never, () => {});
      expect(call).toThrow(TypeError);
      expect(call).toThrow(
        'Expected `event` to be one of `retry`, `error`, `response`, `truncated`, `context-raised`, `cache-hit`, `audit`',
      );
    }
    expect(() => c.on(Symbol('response') as never, () => {})).toThrow(
      /^Expected `event` to be one of `retry`.*got `Symbol\(response\)` \(symbol\)$/,
    );
  });

  it('still subscribes every known event', () => {
    const c = core();
    for (const name of [
      'retry',
      'error',
      'response',
      'truncated',
      'context-raised',
      'cache-hit',
      'audit',
    ] as const) {
      const off = c.on(name, () => {});
      expect(typeof off).toBe('function');
      off();
    }
  });
});
