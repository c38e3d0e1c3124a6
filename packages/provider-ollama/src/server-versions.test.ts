// Fields an older Ollama drops without a word (Go's JSON decoder ignores a field its request struct
// lacks), refused before sending once `/api/version` says the server is too old: against
// @x/ollama-sim started with the `version` of an older release. Versions from ollama/ollama's
// api/types.go history (the first release tag whose request struct has the field).

import { type OllamaSim, type OllamaSimOptions, startOllamaSim } from '@x/ollama-sim';
import { afterEach, describe, expect, it } from 'vitest';
import { isOllamaConnectionError } from './errors';
import { createOllamaProvider, type OllamaProvider } from './provider';
import { isServerTooOldError, ServerTooOldError } from './server-too-old-error';
import type { ChatRequest } from './types';

const open: Array<OllamaSim | OllamaProvider> = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

async function sim(options: OllamaSimOptions): Promise<OllamaSim> {
  const started = await startOllamaSim({ loadTimeMs: 0, ...options });
  open.push(started);
  return started;
}

function providerOn(at: OllamaSim): OllamaProvider {
  const provider = createOllamaProvider({ baseUrl: at.url, retry: false, cache: false });
  open.unshift(provider);
  return provider;
}

async function setup(version: string): Promise<{ sim: OllamaSim; provider: OllamaProvider }> {
  const started = await sim({ version });
  return { sim: started, provider: providerOn(started) };
}

const asked = (at: OllamaSim, path: string) => at.requests.filter((r) => r.path === path).length;

const chat = (extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model: 'qwen3:4b',
  messages: [{ role: 'user', content: 'Why is the sky blue?' }],
  ...extra,
});

/** What the call rejects with. */
async function refusal(call: Promise<unknown>): Promise<ServerTooOldError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ServerTooOldError);
  return error as ServerTooOldError;
}

describe('fields a server version does not honour', () => {
  it('refuses logprobs on 0.12.10, naming the field, 0.12.11 and the server version, sending nothing', async () => {
    const { sim: at, provider } = await setup('0.12.10');
    const error = await refusal(provider.complete(chat({ logprobs: true, topLogprobs: 2 })));
    expect(error).toBeInstanceOf(RangeError);
    expect(isServerTooOldError(error)).toBe(true);
    expect(error).toMatchObject({
      name: 'ServerTooOldError',
      field: 'request.logprobs',
      minVersion: '0.12.11',
      serverVersion: '0.12.10',
      unsupportedBy: 'server',
    });
    expect(error.message).toBe(
      '`request.logprobs` `true` needs Ollama 0.12.11 or later, and this server is 0.12.10: an older server ignores it: no log probabilities come back. Upgrade Ollama, or leave the field out (nothing was sent)',
    );
    expect(asked(at, '/api/chat')).toBe(0);
  });

  it('refuses each field and value below the version that honours it, in every call', async () => {
    const { sim: at, provider } = await setup('0.8.0');
    const cases: Array<[Promise<unknown>, string, string]> = [
      [provider.complete(chat({ think: true })), 'request.think', '0.9.0'],
      [provider.complete(chat({ think: false })), 'request.think', '0.9.0'],
      [
        provider.generate({ model: 'qwen3:4b', prompt: 'x', think: 'high' }),
        'request.think',
        '0.11.0',
      ],
      [provider.complete(chat({ think: 'max' })), 'request.think', '0.22.0'],
      [provider.complete(chat({ truncate: false })), 'request.truncate', '0.12.6'],
      [
        provider.generate({ model: 'qwen3:4b', prompt: 'x', shift: false }),
        'request.shift',
        '0.12.6',
      ],
      [provider.complete(chat({ keepAlive: 0.5 })), 'request.keepAlive', '0.11.8'],
      [
        provider.embed({ model: 'nomic-embed-text', input: 'x', dimensions: 64 }),
        'request.dimensions',
        '0.11.11',
      ],
    ];
    const settled = await Promise.all(cases.map(([call]) => refusal(call)));
    settled.forEach((error, i) => {
      const [, field, minVersion] = cases[i]!;
      expect(error).toMatchObject({ field, minVersion, serverVersion: '0.8.0' });
    });
    const streamed = async () => {
      for await (const _ of provider.stream(chat({ logprobs: true })));
    };
    const streamedGenerate = async () => {
      for await (const _ of provider.streamGenerate({
        model: 'qwen3:4b',
        prompt: 'x',
        logprobs: true,
      }));
    };
    for (const error of await Promise.all([refusal(streamed()), refusal(streamedGenerate())])) {
      expect(error).toMatchObject({ field: 'request.logprobs', minVersion: '0.12.11' });
    }
    for (const path of ['/api/chat', '/api/generate', '/api/embed'])
      expect(asked(at, path)).toBe(0);
    // One look for all of them, the first ones waiting on it together.
    expect(asked(at, '/api/version')).toBe(1);
  });

  it('sends what the version honours, a release candidate as its release, and values every server takes without a look', async () => {
    const { sim: at, provider } = await setup('0.12.11-rc0');
    const answer = await provider.complete(
      chat({ logprobs: true, think: 'high', truncate: false }),
    );
    expect(answer.logprobs?.length).toBeGreaterThan(0);
    expect(asked(at, '/api/version')).toBe(1);

    const { sim: old, provider: onOld } = await setup('0.1.40');
    await onOld.complete(chat({ truncate: true, shift: true, keepAlive: 300 }));
    await onOld.complete(chat({ keepAlive: -0.5 }));
    await onOld.embed({ model: 'nomic-embed-text', input: 'x', truncate: true, keepAlive: '5m' });
    await onOld.complete({ model: 'llama3.2', messages: [{ role: 'user', content: 'Hi' }] });
    expect(asked(old, '/api/version')).toBe(0);
  });

  it('sends the fields as asked to a server that gives no version: a build from source, no /api/version', async () => {
    const { sim: source, provider } = await setup('0.0.0');
    await provider.complete(chat({ logprobs: true }));
    await provider.complete(chat({ logprobs: true }));
    expect(asked(source, '/api/chat')).toBe(2);
    expect(asked(source, '/api/version')).toBe(1);

    const { sim: proxy, provider: behind } = await setup('0.12.10');
    proxy.setFaults([
      {
        route: '/api/version',
        fault: {
          kind: 'status',
          status: 404,
          body: '404 page not found',
          contentType: 'text/plain',
        },
      },
    ]);
    await behind.complete(chat({ logprobs: true }));
    await behind.complete(chat({ shift: false }));
    expect(asked(proxy, '/api/chat')).toBe(2);
    expect(asked(proxy, '/api/version')).toBe(1);
  });

  it('uses the version initialize() and version() learnt, asking no more', async () => {
    const { sim: at, provider } = await setup('0.12.10');
    await provider.initialize();
    await refusal(provider.complete(chat({ logprobs: true })));
    expect(asked(at, '/api/version')).toBe(1);

    const { sim: other, provider: second } = await setup('0.12.10');
    expect(await second.version()).toBe('0.12.10');
    await refusal(second.complete(chat({ logprobs: true })));
    expect(asked(other, '/api/version')).toBe(1);
  });

  it('asks again after a connection error: a server upgraded on the same address is seen', async () => {
    const old = await sim({ version: '0.12.10' });
    const provider = providerOn(old);
    await refusal(provider.complete(chat({ logprobs: true })));
    await refusal(provider.complete(chat({ logprobs: true })));
    expect(asked(old, '/api/version')).toBe(1);
    await old.close();
    // The server is down for a moment: an ordinary call fails to connect.
    const down = await provider.complete(chat()).catch((e: unknown) => e);
    expect(isOllamaConnectionError(down)).toBe(true);
    const upgraded = await sim({ version: '0.13.0', port: old.port });
    const answer = await provider.complete(chat({ logprobs: true }));
    expect(answer.logprobs?.length).toBeGreaterThan(0);
    expect(asked(upgraded, '/api/version')).toBe(1);
  });

  it('fails the call with the lookup error when the server cannot be reached, and asks again next time', async () => {
    const at = await sim({ version: '0.12.10' });
    const provider = providerOn(at);
    await at.stop();
    const error = await provider.complete(chat({ logprobs: true })).catch((e: unknown) => e);
    expect(isOllamaConnectionError(error)).toBe(true);
    await at.restart();
    await refusal(provider.complete(chat({ logprobs: true })));
    expect(asked(at, '/api/version')).toBe(1);
  });

  it('rejects with the caller abort while the version is looked up', async () => {
    const { sim: at, provider } = await setup('0.33.0');
    at.setFaults([{ route: '/api/version', fault: { kind: 'latency', ms: 200 } }]);
    const controller = new AbortController();
    const call = provider.complete(chat({ logprobs: true, signal: controller.signal }));
    controller.abort(new Error('changed my mind'));
    await expect(call).rejects.toThrow('changed my mind');
    // The look itself goes on for the next call, which needs it.
    await provider.complete(chat({ logprobs: true }));
    expect(asked(at, '/api/version')).toBe(1);
    expect(asked(at, '/api/chat')).toBe(1);
  });

  it('ends a stream waiting for the version at abortAll(), as any stream in flight', async () => {
    const { sim: at, provider } = await setup('0.33.0');
    at.setFaults([{ route: '/api/version', fault: { kind: 'latency', ms: 200 } }]);
    const first = provider
      .stream(chat({ logprobs: true }))
      [Symbol.asyncIterator]()
      .next();
    provider.abortAll();
    await expect(first).rejects.toMatchObject({ name: 'AbortError' });
    await provider.complete(chat({ logprobs: true }));
    expect(asked(at, '/api/chat')).toBe(1);
  });
});
