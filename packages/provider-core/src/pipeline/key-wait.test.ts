// Real sockets and the real clock: a getApiKey() that never settles holds its call until
// something ends the wait, so a test that passes is one where close(), the first-token deadline or
// the call's end did.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { until, within } from '@x/internal/testing';
import { describe, expect, it, onTestFinished } from 'vitest';
import { lineCore as core, streamed } from '../__fixtures__/line-core';
import {
  destroyAfterEach,
  outcome,
  startModelServer as startServer,
  to,
} from '../__fixtures__/model-server';
import { Credentials } from '../credentials';
import { createErrorKit } from '../error-kit';
import {
  type AuditEvent,
  isProviderErrorOfKind,
  ProviderClosedError,
  type ProviderCore,
  ProviderTimeoutError,
} from '../index';
import { Redactor } from '../secrets';

destroyAfterEach();

const KEY = 'sk-late-key-0123456789abcdef';

/** A key callback whose every call waits for `settle`: the test decides when, and how. */
function heldKeys() {
  const waiting: Array<{ resolve: (key: string) => void; reject: (error: Error) => void }> = [];
  return {
    waiting,
    getApiKey: () =>
      new Promise<string>((resolve, reject) => {
        waiting.push({ resolve, reject });
      }),
  };
}

/** Every way a call reaches the key callback: buffered, streamed, outside the answer path, a probe. */
function everyCall(provider: ProviderCore): Array<Promise<unknown>> {
  const streamEnd = (async () => {
    for await (const _ of provider.stream(streamed, streamed.stream!, to('m'))) {
      // read to the end
    }
  })();
  return [
    provider.complete(streamed, to('m')),
    streamEnd,
    provider.request({ endpoint: '/reply', method: 'POST', payload: to('m') }),
    provider.probe('/reply', 'GET', undefined),
  ].map(outcome);
}

describe('a call waiting for getApiKey()', () => {
  it('ends with the closed error when close() comes, and never sends the key that arrives later', async () => {
    const server = await startServer();
    const keys = heldKeys();
    const provider = core(server.url, { getApiKey: keys.getApiKey });
    const calls = everyCall(provider);
    await until(() => keys.waiting.length === calls.length);
    await provider.close();
    // Before, they were still waiting long after close() resolved (the bound is only generous).
    for (const call of calls) {
      expect(await within(call, 3_000)).toBeInstanceOf(ProviderClosedError);
    }
    // The keys come, or the vault fails, after the calls ended: dropped, never sent, and a late
    // rejection is no unhandled one (vitest fails the run on those).
    keys.waiting[0]!.resolve(KEY);
    keys.waiting[1]!.reject(new Error(`vault down, token ${KEY}`));
    keys.waiting[2]!.resolve(KEY);
    keys.waiting[3]!.reject(new Error('vault down'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(server.received).toEqual([]);
    expect(provider.stats().inFlight).toBe(0);
  });

  it('ends at timeouts.firstTokenMs, counted from the callback, naming the wait and the option, and gives back its concurrency slot', async () => {
    const server = await startServer();
    const keys = heldKeys();
    let asked = 0;
    const provider = core(server.url, {
      // No totalMs (off by default): before, nothing but the caller's signal ended the wait.
      timeouts: { firstTokenMs: 2000 }, // the next call's answer too: room for a loaded runner
      maxConcurrent: 1,
      // The first call's key never comes; the next one's comes at once.
      getApiKey: () => (++asked === 1 ? keys.getApiKey() : KEY),
    });
    const hung = outcome(provider.complete(streamed, to('m')));
    await until(() => keys.waiting.length === 1);
    // Queued behind the hung call for its slot, then answered once that call let it go.
    const next = provider.complete(streamed, to('m'));
    const error = await hung;
    expect(error).toBeInstanceOf(ProviderTimeoutError);
    expect(error).toMatchObject({
      timeout: 'firstToken',
      timeoutMs: 2000,
      retryable: true,
      message:
        'Timed out after 2000 ms waiting for getApiKey() to return a key, before anything was sent (timeouts.firstTokenMs)',
    });
    await expect(next).resolves.toMatchObject({ content: 'hi' });
    // The key that comes after its call timed out is never sent.
    keys.waiting[0]!.resolve('sk-too-late-0123456789abcdef');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(server.received).toEqual(['m']);
    expect(provider.stats().inFlight).toBe(0);
  });

  it('ends each kind of call at timeouts.firstTokenMs', async () => {
    const server = await startServer();
    const keys = heldKeys();
    const provider = core(server.url, {
      timeouts: { firstTokenMs: 200 },
      getApiKey: keys.getApiKey,
    });
    for (const call of everyCall(provider)) {
      const error = await call;
      expect(isProviderErrorOfKind(error, 'timeout')).toBe(true);
      expect((error as Error).message).toContain('waiting for getApiKey()');
    }
    expect(server.received).toEqual([]);
  });

  it('is not asked for a key once its call has ended', async () => {
    let asked = 0;
    const credentials = new Credentials({
      kit: createErrorKit({ provider: 'demo', label: 'Demo' }),
      headers: {},
      apiKey: undefined,
      getApiKey: () => {
        asked++;
        return KEY;
      },
      auth: (key) => ({ authorization: `Bearer ${key}` }),
      redactor: new Redactor(),
    });
    const reason = new Error('closed while queued');
    await expect(credentials.fresh('application/json', AbortSignal.abort(reason))).rejects.toBe(
      reason,
    );
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(asked).toBe(0);
  });
});

/**
 * A server that sends its answer's headers at once and its body `delayMs` later: `/reply` an
 * NDJSON answer, any other path a JSON document. Closed when the test ends.
 */
async function startLateAnswers(delayMs: number): Promise<{ url: string; keys: string[] }> {
  const keys: string[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      keys.push(req.headers.authorization ?? '');
      const stream = req.url === '/reply';
      res.writeHead(200, {
        'content-type': stream ? 'application/x-ndjson' : 'application/json',
      });
      res.flushHeaders();
      const timer = setTimeout(
        () => res.end(stream ? '{"delta":"hi"}\n{"done":true}\n' : '{"ok":true}'),
        delayMs,
      );
      res.on('close', () => clearTimeout(timer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(
    () => new Promise<void>((resolve) => server.close(() => resolve()).closeAllConnections()),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, keys };
}

/** A key callback that gives `KEY` `afterMs` after each call. */
const keyAfter = (afterMs: number) => () =>
  new Promise<string>((resolve) => setTimeout(() => resolve(KEY), afterMs));

describe('the first-token deadline of a call with getApiKey()', () => {
  // firstTokenMs 1500: the key (900 ms) and the first token (900 ms after the send) each fit
  // well within it, together they do not. Load only makes either later.
  const timeouts = { firstTokenMs: 1500 };

  it('counts the wait for the key: a late key leaves the request only the rest of firstTokenMs', {
    timeout: 30_000,
  }, async () => {
    const server = await startLateAnswers(900);
    const provider = core(server.url, { timeouts, getApiKey: keyAfter(900) });
    const readStream = async () => {
      for await (const _ of provider.stream(streamed, streamed.stream!, to('m'))) {
        // read to the end
      }
    };
    const calls = [
      provider.complete(streamed, to('m')),
      readStream(),
      provider.request({
        endpoint: '/models',
        method: 'GET',
        payload: undefined,
        model: undefined,
      }),
    ].map(outcome);
    const [complete, stream, metadata] = await Promise.all(calls);
    // Before, each had a clock of its own: the key within 1500 ms, then the answer within 1500 ms
    // of the send, and every call succeeded 1800 ms after it began.
    for (const error of [complete, stream]) {
      expect(error).toBeInstanceOf(ProviderTimeoutError);
      expect(error).toMatchObject({
        timeout: 'firstToken',
        timeoutMs: 1500,
        retryable: true,
        message:
          'Timed out after 1500 ms waiting for the first token, counted from the getApiKey() call (timeouts.firstTokenMs)',
      });
    }
    expect(metadata).toBeInstanceOf(ProviderTimeoutError);
    expect(metadata).toMatchObject({ timeout: 'firstToken', timeoutMs: 1500 });
    expect((metadata as Error).message).toContain(', counted from the getApiKey() call');
    // The key came in time: each request was sent with it, and cut by the rest of the deadline.
    expect(server.keys).toEqual([`Bearer ${KEY}`, `Bearer ${KEY}`, `Bearer ${KEY}`]);
  });

  it('leaves the request all of firstTokenMs when the key comes at once', {
    timeout: 30_000,
  }, async () => {
    const server = await startLateAnswers(900);
    const provider = core(server.url, { timeouts, getApiKey: () => KEY });
    await expect(provider.complete(streamed, to('m'))).resolves.toMatchObject({ content: 'hi' });
  });
});

describe('the credential-fetched event of a getApiKey() wait that ends without a key', () => {
  /** The audit events of `provider`, as they come. */
  const audited = (provider: ProviderCore): AuditEvent[] => {
    const events: AuditEvent[] = [];
    provider.on('audit', (event) => {
      events.push(event);
    });
    return events;
  };
  const fetched = (events: AuditEvent[]) =>
    events.filter((e) => e.type === 'credential-fetched').map((e) => ({ ...e, time: 0 }));
  const told = (outcome: string) => ({
    type: 'credential-fetched',
    source: 'getApiKey',
    outcome,
    variable: undefined,
    provider: 'demo',
    time: 0,
  });

  it('says timeout when timeouts.firstTokenMs ended the wait', async () => {
    const server = await startServer();
    const keys = heldKeys();
    const provider = core(server.url, {
      timeouts: { firstTokenMs: 100 },
      getApiKey: keys.getApiKey,
    });
    const events = audited(provider);
    const error = await outcome(provider.complete(streamed, to('m')));
    expect(error).toBeInstanceOf(ProviderTimeoutError);
    // Before, nothing was told of the wait.
    expect(fetched(events)).toEqual([told('timeout')]);
  });

  it("says closed when close() or destroy() ended the wait, and aborted for the caller's abort", async () => {
    const server = await startServer();
    for (const end of ['close', 'destroy'] as const) {
      const keys = heldKeys();
      const provider = core(server.url, { getApiKey: keys.getApiKey });
      const events = audited(provider);
      const call = outcome(provider.complete(streamed, to('m')));
      await until(() => keys.waiting.length === 1);
      await provider[end]();
      expect(await within(call, 3_000)).toBeInstanceOf(ProviderClosedError);
      expect(fetched(events)).toEqual([told('closed')]);
    }
    const keys = heldKeys();
    const provider = core(server.url, { getApiKey: keys.getApiKey });
    const events = audited(provider);
    const caller = new AbortController();
    const call = outcome(provider.complete(streamed, to('m', caller.signal)));
    await until(() => keys.waiting.length === 1);
    const reason = new Error('the caller left');
    caller.abort(reason);
    expect(await within(call, 3_000)).toBe(reason);
    expect(fetched(events)).toEqual([told('aborted')]);
    // A key that comes later tells nothing more, and is never sent.
    keys.waiting[0]!.resolve(KEY);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(fetched(events)).toEqual([told('aborted')]);
    expect(server.received).toEqual([]);
  });
});
