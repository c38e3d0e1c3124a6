import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { unhandledRejectionsOf } from '../testing/unhandled';
import { Topic } from './topic';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('Topic', () => {
  it('delivers to listeners and to the x:<package>:<event> channel', () => {
    const topic = new Topic<{ n: number }>('demo-pkg', 'tick');
    const seen: number[] = [];
    const published: unknown[] = [];
    const onMessage = (message: unknown) => published.push(message);
    subscribe('x:demo-pkg:tick', onMessage);
    const off = topic.on((event) => seen.push(event.n));
    topic.emit({ n: 1 });
    off();
    topic.emit({ n: 2 });
    unsubscribe('x:demo-pkg:tick', onMessage);
    expect(seen).toEqual([1]);
    expect(published).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('reports a throwing listener as a process warning naming the package and event, and still runs the others', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const topic = new Topic<number>('demo-pkg', 'tick');
    const seen: number[] = [];
    topic.on(() => {
      throw new Error('boom');
    });
    topic.on((n) => seen.push(n));
    expect(() => topic.emit(7)).not.toThrow();
    expect(seen).toEqual([7]);
    expect(warn).toHaveBeenCalledTimes(1);
    const [message, options] = warn.mock.calls[0] as [string, { type: string; code: string }];
    expect(message).toBe("@x/demo-pkg: a 'tick' listener threw: Error: boom");
    expect(options.type).toBe('XListenerError');
    expect(options.code).toBe('X_DEMO_PKG_LISTENER_ERROR');
  });

  it('reports a listener whose promise rejects, without an unhandled rejection', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const topic = new Topic<number>('demo-pkg', 'tick');
    topic.on(async () => {
      throw new Error('later');
    });
    topic.emit(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(warn).toHaveBeenCalledWith(
      "@x/demo-pkg: a 'tick' listener threw: Error: later",
      expect.objectContaining({ type: 'XListenerError' }),
    );
  });

  it('never throws for a thrown value that cannot be made a string, and still runs the others', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const topic = new Topic<number>('demo-pkg', 'tick');
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const seen: number[] = [];
    topic.on(() => {
      throw Object.create(null);
    });
    topic.on(() => {
      throw {
        toString() {
          throw new Error('no text');
        },
      };
    });
    topic.on(() => {
      throw proxy;
    });
    topic.on(() => {
      throw Symbol('odd');
    });
    topic.on(async () => {
      throw Object.create(null);
    });
    topic.on((n) => seen.push(n));
    const unhandled = await unhandledRejectionsOf(() => {
      expect(() => topic.emit(3)).not.toThrow();
    });
    expect(unhandled).toEqual([]);
    expect(seen).toEqual([3]);
    expect(warn.mock.calls.map(([message]) => message)).toEqual([
      "@x/demo-pkg: a 'tick' listener threw: `{}` (object)",
      "@x/demo-pkg: a 'tick' listener threw: `{}` (object)",
      "@x/demo-pkg: a 'tick' listener threw: an unreadable object",
      "@x/demo-pkg: a 'tick' listener threw: `Symbol(odd)` (symbol)",
      "@x/demo-pkg: a 'tick' listener threw: `{}` (object)",
    ]);
    for (const [, options] of warn.mock.calls) {
      expect(options).toMatchObject({ type: 'XListenerError', code: 'X_DEMO_PKG_LISTENER_ERROR' });
    }
  });

  it('reports a thenable whose then cannot be read, without failing the emit', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const topic = new Topic<number>('demo-pkg', 'tick');
    topic.on(() => ({
      // biome-ignore lint/suspicious/noThenProperty: a listener's answer whose `then` cannot be read
      get then(): never {
        throw new TypeError('no then');
      },
    }));
    expect(() => topic.emit(1)).not.toThrow();
    expect(warn).toHaveBeenCalledWith(
      "@x/demo-pkg: a 'tick' listener threw: TypeError: no then",
      expect.objectContaining({ type: 'XListenerError' }),
    );
  });

  it('hides a credential the listener error quotes, in the message and the stack', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const topic = new Topic<number>('demo-pkg', 'tick');
    const key = 'sk-proj-4f9a8b7c6d5e4f3a2b1c0d9e';
    topic.on(() => {
      throw new Error(`metrics push refused: Authorization: Bearer ${key}`);
    });
    topic.on(() => {
      throw { request: { apiKey: key } };
    });
    topic.emit(1);
    const texts = warn.mock.calls.flatMap(([message, options]) => [
      message,
      (options as { detail?: string }).detail ?? '',
    ]);
    expect(texts.join('\n')).not.toContain(key);
    expect(texts[0]).toBe(
      "@x/demo-pkg: a 'tick' listener threw: Error: metrics push refused: Authorization: Bearer [redacted]",
    );
    expect(texts[1]).toMatch(
      /^Error: metrics push refused: Authorization: Bearer \[redacted\]\n\s+at /,
    );
    expect(texts[2]).toBe(
      '@x/demo-pkg: a \'tick\' listener threw: `{"request":{"apiKey":"[redacted]"}}` (object)',
    );
  });

  it('counts the same function subscribed twice as two subscriptions, and unsubscribes once', () => {
    const topic = new Topic<number>('demo-pkg', 'tick');
    const seen: number[] = [];
    const listener = (n: number) => seen.push(n);
    const off = topic.on(listener);
    topic.on(listener);
    topic.emit(1);
    off();
    off();
    topic.emit(2);
    expect(seen).toEqual([1, 1, 2]);
    expect(topic.active).toBe(true);
  });

  it('refuses a listener that is not a function, in the wording of every other argument error', () => {
    const topic = new Topic<number>('demo-pkg', 'tick');
    expect(() => topic.on(42 as never)).toThrow(
      new TypeError('Expected `listener` to be a function, got `42` (number)'),
    );
    expect(() => topic.on(null as never)).toThrow(
      new TypeError('Expected `listener` to be a function, got `null` (null)'),
    );
  });
});
