import { describe, expect, it } from 'vitest';
import { chunk, DONE, type Handler, usageChunk } from './__fixtures__/server';
import { ask, collect, setup } from './__fixtures__/setup';
import { isOpenAITimeoutError } from './errors';

/** The bare empty delta of the reviews: `{"choices":[{"delta":{}}]}`. */
const EMPTY = 'data: {"choices":[{"delta":{}}]}\n\n';

/** Writes `first`, then `next(i)` every 20 ms until it returns undefined (then ends) or forever. */
function paced(first: string[], next: (i: number) => string | undefined): Handler {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const text of first) res.write(text);
    let i = 0;
    const timer = setInterval(() => {
      const text = next(i++);
      if (text === undefined) {
        clearInterval(timer);
        res.end();
      } else res.write(text);
    }, 20);
    res.on('close', () => clearInterval(timer));
  };
}

// The idle tests give the first token 5 s: on a loaded machine a 400 ms first-token deadline
// could end the call before the idle one does (the wrong timeout). 400 ms stays where the
// first-token timeout is the one expected.
const idle = { firstTokenMs: 5_000, idleMs: 200 };
const firstToken = { firstTokenMs: 400, idleMs: 200 };

describe('timeouts.idleMs against events that carry nothing (real clock: the server paces events)', () => {
  it('ends stream() with an idle timeout keeping the text when empty deltas follow it forever', async () => {
    const { provider } = await setup(
      { '/chat/completions': paced([chunk({ role: 'assistant', content: 'Hi' })], () => EMPTY) },
      { timeouts: idle, retry: false },
    );
    const error = await collect(provider.stream(ask())).catch((e: unknown) => e);
    expect(isOpenAITimeoutError(error)).toBe(true);
    expect(error).toMatchObject({ timeout: 'idle', timeoutMs: 200, partial: { content: 'Hi' } });
  }, 10_000);

  it('ends complete() with a first-token timeout when a role-only chunk is followed by empty deltas', async () => {
    const { provider } = await setup(
      { '/chat/completions': paced([chunk({ role: 'assistant', content: '' })], () => EMPTY) },
      { timeouts: firstToken, retry: false },
    );
    const error = await provider.complete(ask()).catch((e: unknown) => e);
    expect(isOpenAITimeoutError(error)).toBe(true);
    expect(error).toMatchObject({ timeout: 'firstToken', timeoutMs: 400 });
  }, 10_000);

  it('keeps reasoning and tool-call argument deltas going for longer than idleMs', async () => {
    // 2 x 30 deltas 20 ms apart: over 1 s, past both idleMs and the 1 s first-token deadline, so
    // the call lives only if reasoning counts as a first token and every delta as progress.
    const steps = [
      ...Array.from({ length: 30 }, () => chunk({ reasoning_content: 'hmm ' })),
      chunk({
        tool_calls: [
          { index: 0, id: 'call_A', type: 'function', function: { name: 'f', arguments: '' } },
        ],
      }),
      ...Array.from({ length: 30 }, (_, i) =>
        chunk({
          tool_calls: [
            { index: 0, function: { arguments: i === 0 ? '{"n":"' : i === 29 ? '"}' : 'x' } },
          ],
        }),
      ),
      chunk({}, 'tool_calls'),
      usageChunk(),
      DONE,
    ];
    const { provider } = await setup(
      {
        '/chat/completions': paced([chunk({ role: 'assistant', content: '' })], (i) => steps[i]),
      },
      { timeouts: { firstTokenMs: 1_000, idleMs: 200 }, retry: false },
    );
    const answer = await provider.complete(ask());
    expect(answer.thinking).toBe('hmm '.repeat(30));
    expect(answer.toolCalls).toEqual([
      expect.objectContaining({ name: 'f', arguments: { n: 'x'.repeat(28) } }),
    ]);
  }, 10_000);
});

describe('answers that hold a call open without a deadline moving (real clock)', () => {
  /** One space of a JSON document every 20 ms, for ever: bytes, never a whole answer. */
  const trickledDocument: Handler = (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    const timer = setInterval(() => res.write(' '), 20);
    res.on('close', () => clearInterval(timer));
  };

  /** An error status whose body stops after its first bytes, the connection left open. */
  const stalledErrorBody: Handler = (_req, res) => {
    res.writeHead(503, { 'content-type': 'application/json', 'content-length': '100' });
    res.write('{"error":');
  };

  it('ends a JSON document trickled in answer to a stream at the first-token deadline, in complete() and stream()', async () => {
    const { provider } = await setup(
      { '/chat/completions': trickledDocument },
      { timeouts: firstToken, retry: false },
    );
    for (const run of [() => provider.complete(ask()), () => collect(provider.stream(ask()))]) {
      const error = await run().catch((e: unknown) => e);
      expect(isOpenAITimeoutError(error)).toBe(true);
      expect(error).toMatchObject({ timeout: 'firstToken', timeoutMs: 400 });
    }
  }, 10_000);

  it('ends a whole answer (completeAs: whole) at the first-token deadline when the server trickles it or never answers, with no total deadline', async () => {
    /** Accepts the request and never sends a byte back. */
    const silent: Handler = () => {};
    for (const handler of [trickledDocument, silent]) {
      const { provider } = await setup(
        { '/chat/completions': handler },
        { timeouts: firstToken, retry: false, completeAs: 'whole' },
      );
      const started = performance.now();
      const error = await provider.complete(ask()).catch((e: unknown) => e);
      expect(isOpenAITimeoutError(error)).toBe(true);
      expect(error).toMatchObject({ timeout: 'firstToken', timeoutMs: 400 });
      expect(performance.now() - started).toBeLessThan(3_000);
      expect(provider.stats().inFlight).toBe(0);
    }
  }, 10_000);

  it('ends an error answer whose body stalls within idleMs when the answer is asked for whole', async () => {
    const { provider } = await setup(
      { '/chat/completions': stalledErrorBody },
      { timeouts: idle, retry: false, completeAs: 'whole' },
    );
    const error = await provider.complete(ask()).catch((e: unknown) => e);
    expect(isOpenAITimeoutError(error)).toBe(true);
    expect(error).toMatchObject({ timeout: 'idle', timeoutMs: 200 });
  }, 10_000);
});
