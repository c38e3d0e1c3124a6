import type http from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './__fixtures__/server';
import { createOllamaProvider, type OllamaProvider } from './provider';

// The options argument of every call that takes no request is checked before anything is sent:
// a misspelt key used to be ignored (the caller's abort or deadline lost, the request sent), and a
// `signal` that is not one failed deep inside, naming no option.

const json = (body: unknown) => (_req: unknown, res: http.ServerResponse) => {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
};

let server: TestServer;
let provider: OllamaProvider;

beforeEach(async () => {
  server = await startServer({
    '/api/version': json({ version: '0.12.0' }),
    '/api/tags': json({ models: [] }),
    '/api/ps': json({ models: [] }),
    '/api/show': json({ model_info: {}, capabilities: ['completion'] }),
    '/api/delete': json({}),
    'HEAD /api/blobs/sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa': json(
      {},
    ),
  });
  provider = createOllamaProvider({ baseUrl: server.url, retry: false });
});

afterEach(async () => {
  await provider.destroy();
  await server.close();
});

const DIGEST = `sha256:${'a'.repeat(64)}`;

/** Each call that takes options of its own, called with `options`. */
const CALLS: Record<string, (p: OllamaProvider, options: unknown) => Promise<unknown>> = {
  listModels: (p, o) => p.listModels(o as never),
  modelInfo: (p, o) => p.modelInfo('llama3.2', o as never),
  show: (p, o) => p.show('llama3.2', o as never),
  ps: (p, o) => p.ps(o as never),
  version: (p, o) => p.version(o as never),
  deleteModel: (p, o) => p.deleteModel('llama3.2', o as never),
  hasBlob: (p, o) => p.hasBlob(DIGEST, o as never),
  initialize: (p, o) => p.initialize(o as never),
};
const NAMES = Object.keys(CALLS);
const LIKE = (name: string) =>
  name === 'initialize'
    ? '{ signal, timeoutMs }'
    : name === 'show'
      ? '{ signal, verbose }'
      : '{ signal }';

describe('the options of calls that take no request', () => {
  it.each(NAMES)('%s() names a misspelt key and the one meant, sending nothing', async (name) => {
    await expect(CALLS[name]!(provider, { sigal: AbortSignal.abort() })).rejects.toThrow(
      new TypeError('Unknown option `options.sigal`: did you mean `options.signal`?'),
    );
    expect(server.requests).toEqual([]);
  });

  it.each(NAMES)(
    '%s() refuses a signal that is not an AbortSignal, sending nothing',
    async (name) => {
      for (const [signal, shown] of [
        [null, '`null` (null)'],
        ['x', '`"x"` (string)'],
        [{}, '`{}` (object)'],
      ] as const) {
        await expect(CALLS[name]!(provider, { signal })).rejects.toThrow(
          new TypeError(`Expected \`options.signal\` to be an AbortSignal, got ${shown}`),
        );
      }
      expect(server.requests).toEqual([]);
    },
  );

  it.each(NAMES)('%s() refuses null, an array or a number as its options', async (name) => {
    for (const [options, shown] of [
      [null, '`null` (null)'],
      [[], '`[]` (array)'],
      [5, '`5` (number)'],
    ] as const) {
      await expect(CALLS[name]!(provider, options)).rejects.toThrow(
        new TypeError(`Expected \`options\` to be an object like ${LIKE(name)}, got ${shown}`),
      );
    }
    expect(server.requests).toEqual([]);
  });

  it('initialize() names a misspelt timeoutMs and a bad one, sending nothing', async () => {
    await expect(provider.initialize({ timeout: 1 } as never)).rejects.toThrow(
      new TypeError('Unknown option `options.timeout`: did you mean `options.timeoutMs`?'),
    );
    await expect(provider.initialize({ timeoutMs: 0 })).rejects.toThrow(
      new RangeError(
        'Expected `options.timeoutMs` to be a finite number between 1 and 2147483647, got `0` (number)',
      ),
    );
    expect(server.requests).toEqual([]);
  });

  it('pushBlob() names a misspelt key and the one meant, sending nothing', async () => {
    await expect(
      provider.pushBlob(new Uint8Array([1]), { sigal: AbortSignal.abort() } as never),
    ).rejects.toThrow(
      new TypeError('Unknown option `options.sigal`: did you mean `options.signal`?'),
    );
    await expect(provider.pushBlob(new Uint8Array([1]), [] as never)).rejects.toThrow(
      new TypeError(
        'Expected `options` to be an object like { digest, size, signal }, got `[]` (array)',
      ),
    );
    expect(server.requests).toEqual([]);
  });

  it.each(NAMES)('%s() sends as before with options left out or well formed', async (name) => {
    await CALLS[name]!(provider, undefined);
    const sent = server.requests.length;
    expect(sent).toBeGreaterThan(0);
    // modelInfo() remembers its answer: a second look is not sent again.
    await CALLS[name]!(provider, { signal: new AbortController().signal });
    if (name !== 'modelInfo') expect(server.requests.length).toBeGreaterThan(sent);
  });
});
