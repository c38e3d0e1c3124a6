// The options of the calls that are not requests (`listModels()`, `health()`): checked as a
// request's are, before anything is sent, naming the option (and, for an unknown key, the closest
// known one). A typo would otherwise drop the caller's deadline or abort and send the call anyway.

import { describe, expect, it } from 'vitest';
import { json } from './__fixtures__/server';
import { setup } from './__fixtures__/setup';

const MODELS = { '/models': json(200, { object: 'list', data: [] }) };

/** What `call()` rejects with (it must reject). */
async function rejection(call: () => Promise<unknown>): Promise<Error> {
  const error = await call().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

describe('OpenAIProvider.listModels options', () => {
  it.each([
    [
      { sigal: AbortSignal.abort() },
      'Unknown option `options.sigal`: did you mean `options.signal`?',
    ],
    [{ signal: 'x' }, 'Expected `options.signal` to be an AbortSignal, got `"x"` (string)'],
    [{ signal: {} }, 'Expected `options.signal` to be an AbortSignal, got `{}` (object)'],
    [{ signal: null }, 'Expected `options.signal` to be an AbortSignal, got `null` (null)'],
    [null, 'Expected `options` to be an object like { signal }, got `null` (null)'],
    [[], 'Expected `options` to be an object like { signal }, got `[]` (array)'],
  ])('rejects %j with a TypeError naming the option, sending nothing', async (options, message) => {
    const { server, provider } = await setup(MODELS);
    const error = await rejection(() => provider.listModels(options as never));
    expect(error).toEqual(new TypeError(message));
    expect(server.requests).toHaveLength(0);
    // Options left out, or given right, still list the models.
    await expect(provider.listModels()).resolves.toEqual([]);
    await expect(provider.listModels({ signal: undefined })).resolves.toEqual([]);
    expect(server.requests).toHaveLength(2);
  });
});

describe('OpenAIProvider.health options', () => {
  it.each([
    [{ timeout: 1 }, 'Unknown option `options.timeout`: did you mean `options.timeoutMs`?'],
    [{ signal: null }, 'Expected `options.signal` to be an AbortSignal, got `null` (null)'],
    [5, 'Expected `options` to be an object like { signal, timeoutMs }, got `5` (number)'],
    ['x', 'Expected `options` to be an object like { signal, timeoutMs }, got `"x"` (string)'],
    [[], 'Expected `options` to be an object like { signal, timeoutMs }, got `[]` (array)'],
  ])('rejects %j with a TypeError naming the option, sending nothing', async (options, message) => {
    const { server, provider } = await setup(MODELS);
    const error = await rejection(() => provider.health(options as never));
    expect(error).toEqual(new TypeError(message));
    expect(server.requests).toHaveLength(0);
    await expect(provider.health({ timeoutMs: 10_000 })).resolves.toMatchObject({
      status: 'healthy',
    });
    expect(server.requests).toHaveLength(1);
  });

  it('rejects a timeoutMs below 1 with a RangeError naming options.timeoutMs', async () => {
    const { server, provider } = await setup(MODELS);
    const error = await rejection(() => provider.health({ timeoutMs: 0 }));
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toMatch(/^Expected `options\.timeoutMs` to be /);
    expect(server.requests).toHaveLength(0);
  });
});
