// A caller who gives up on a stream while it waits for its first chunk (`return()` on the iterator
// with a `next()` pending: manual iterator use, a framework's cancel, a router's destroy()) ends
// the request at once, counted as cancelled: it does not wait for `timeouts.firstTokenMs` (20 s
// here), and close() has nothing left to wait for.
import { until, within } from '@x/internal/testing';
import { expect, it } from 'vitest';
import { ask, chats, fixtureSetup, loadFixture } from './__fixtures__/server';
import { chatsAt, simSetup } from './__fixtures__/sim-provider';

const { setup } = simSetup();
const fixtures = fixtureSetup();

it('ends a stream at once when return() comes while its first chunk is awaited', {
  timeout: 10_000,
}, async () => {
  const { sim, provider } = await setup({ retry: false, timeouts: { firstTokenMs: 20_000 } });
  sim.setFaults([{ route: '/api/chat', fault: { kind: 'stall', ms: 600_000, afterChunks: 0 } }]);
  const iterator = provider.stream(ask())[Symbol.asyncIterator]();
  const next = iterator.next();
  await until(() => chatsAt(sim) === 1 && sim.stats().active === 1);
  const ended = iterator.return!(undefined);
  expect(await within(next, 1000)).toEqual({ done: true, value: undefined });
  expect(await within(ended, 1000)).toEqual({ done: true, value: undefined });
  // The simulator saw the request end: its client closed the connection.
  await until(() => sim.stats().active === 0, 1000);
  expect(provider.stats()).toMatchObject({ cancelled: 1, failures: 0, inFlight: 0 });
  expect(provider.breaker?.stats()).toMatchObject({ failures: 0 });
  expect(await within(provider.close(), 1000)).toBeUndefined();
});

// `think: false` waits for the model's /api/show (is it a gpt-oss served through harmony?) before
// the chat is sent: a return() during that wait ends the stream, and the chat is never sent.
it('ends a stream at once when return() comes while it waits for the model info', {
  timeout: 10_000,
}, async () => {
  let release = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const { server, provider } = await fixtures.setup({
    '/api/show': async (_req, res) => {
      await held;
      res.end(loadFixture('05-show-llama3.2.json').response.body);
    },
    '/api/chat': loadFixture('02-chat-stream.json'),
  });
  const iterator = provider.stream({ ...ask(), think: false })[Symbol.asyncIterator]();
  const next = iterator.next();
  await until(() => server.requests.some((r) => r.path === '/api/show'));
  expect(await within(iterator.return!(undefined), 1000)).toEqual({ done: true, value: undefined });
  expect(await within(next, 1000)).toEqual({ done: true, value: undefined });
  release();
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(chats(server)).toHaveLength(0);
  expect(provider.stats().inFlight).toBe(0);
});

// A return() before any read, then a lookup that fails: nothing is left unhandled.
it('leaves no unhandled rejection when the wait fails after an early return()', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    const { server, provider } = await fixtures.setup({
      '/api/show': (_req, res) => {
        res.writeHead(500, { 'Content-Type': 'application/json' });
        res.end('{"error":"boom"}');
      },
    });
    const iterator = provider.stream({ ...ask(), think: false })[Symbol.asyncIterator]();
    expect(await iterator.return!(undefined)).toEqual({ done: true, value: undefined });
    await until(() => server.requests.some((r) => r.path === '/api/show'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(unhandled).toEqual([]);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});
