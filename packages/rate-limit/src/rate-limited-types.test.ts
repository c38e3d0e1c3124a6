import { describe, expect, expectTypeOf, it } from 'vitest';
import { rateLimited } from './rate-limited';
import { createRateLimiter } from './rate-limiter';
import { createTokenBucket } from './token-bucket';

/** Type-level: checked by `tsc` (`pnpm typecheck`); the wrappers are built, never called. */
describe('rateLimited types', () => {
  it("types the option functions by fn's arguments and cost objects by the limit names", async () => {
    const limiter = createRateLimiter({
      limits: { requests: { ratePerSecond: 1 }, tokens: { ratePerSecond: 100 } },
    });
    const send = async (prompt: string) => prompt.length;
    const byLength = rateLimited(send, limiter, {
      key: 'k',
      cost: (prompt) => ({ requests: 1, tokens: prompt.length }),
    });
    expectTypeOf(byLength).toEqualTypeOf<(this: unknown, prompt: string) => Promise<number>>();
    rateLimited(send, limiter, { key: (prompt) => prompt.slice(0, 4), cost: { tokens: 5 } });
    // A constant cost is checked when wrapping, so this also throws.
    expect(() =>
      // @ts-expect-error `tokns` is no limit of the limiter
      rateLimited(send, limiter, { key: 'k', cost: { tokns: 5 } }),
    ).toThrow(TypeError);
    // @ts-expect-error a prompt is a string, with no `nope`
    rateLimited(send, limiter, { key: (prompt) => prompt.nope });
    await limiter.close();
  });

  it('types the decorator options as the leading arguments of the method they decorate', async () => {
    const limiter = createRateLimiter({
      limits: { requests: { ratePerSecond: 1 }, tokens: { ratePerSecond: 100 } },
    });
    const bucket = createTokenBucket({ capacity: 10, ratePerSecond: 5 });

    class Client {
      // the README's example
      @rateLimited(bucket, { timeoutMs: 5_000 })
      async complete(prompt: string): Promise<string> {
        return `an answer to ${prompt}`;
      }

      @rateLimited(limiter, {
        key: (user: string) => `user:${user}`,
        cost: (_user: string, prompt: string) => ({ requests: 1, tokens: prompt.length }),
      })
      async ask(user: string, prompt: string, signal?: AbortSignal): Promise<string> {
        return `${user} ${prompt} ${signal?.aborted}`;
      }

      // @ts-expect-error the key reads a number, the method takes a string
      @rateLimited(limiter, { key: (user: number) => `user:${user}` })
      async typo(user: string): Promise<string> {
        return user;
      }
    }
    // Options alone, as a decorator gets them: an argument they do not annotate is unknown.
    // @ts-expect-error `p` is unknown, with no `nope`
    rateLimited(limiter, { key: (p) => p.nope.deeper });
    // @ts-expect-error `tokns` is no limit of the limiter
    rateLimited(limiter, { key: 'k', cost: (p: string) => ({ tokns: p.length }) });
    expect(() =>
      // @ts-expect-error `tokns` is no limit of the limiter
      rateLimited(limiter, { key: 'k', cost: { tokns: 5 } }),
    ).toThrow(TypeError);
    expectTypeOf<Client['ask']>().parameters.toEqualTypeOf<
      [user: string, prompt: string, signal?: AbortSignal]
    >();
    expect(typeof Client.prototype.complete).toBe('function');
    await limiter.close();
  });

  it('types each decorator option function by the arguments it reads, not the shortest list', async () => {
    const limiter = createRateLimiter({
      limits: { requests: { ratePerSecond: 1 }, tokens: { ratePerSecond: 100 } },
    });

    class Client {
      @rateLimited(limiter, { key: (user: string) => user, cost: () => ({ requests: 1 }) })
      async byUser(user: string): Promise<string> {
        return user;
      }

      @rateLimited(limiter, {
        key: (user: string) => user,
        cost: (_user: string, prompt: string) => ({ tokens: prompt.length }),
        signal: (_user: string, _prompt: string, signal?: AbortSignal) => signal,
      })
      async ask(user: string, prompt: string, signal?: AbortSignal): Promise<string> {
        return `${user} ${prompt} ${signal?.aborted}`;
      }

      @rateLimited(limiter, {
        key: (user: string) => user,
        signal: (_user: string, _prompt: string, signal?: AbortSignal) => signal,
      })
      async cancellable(user: string, prompt: string, signal?: AbortSignal): Promise<string> {
        return `${user} ${prompt} ${signal?.aborted}`;
      }

      // @ts-expect-error the cost reads a string second, the method takes a number
      @rateLimited(limiter, { key: () => 'k', cost: (_user: string, page: string) => page.length })
      async page(user: string, page: number): Promise<string> {
        return `${user}${page}`;
      }

      // @ts-expect-error the signal reads a third argument the method does not take
      @rateLimited(limiter, { key: 'k', signal: (_u: string, _p: string, s: AbortSignal) => s })
      async short(user: string, prompt: string): Promise<string> {
        return user + prompt;
      }
    }
    expectTypeOf<Client['ask']>().parameters.toEqualTypeOf<
      [user: string, prompt: string, signal?: AbortSignal]
    >();
    expectTypeOf<Client['byUser']>().toEqualTypeOf<(user: string) => Promise<string>>();
    await limiter.close();
  });
});
