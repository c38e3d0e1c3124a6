import { describe, expect, it } from 'vitest';
import { lines, send } from './__fixtures__/client';
import { simPerTest } from './__fixtures__/sim-per-test';

const start = simPerTest();

const DEAD = 'llama-server process no longer running: exit status 1';
const chat = (extra: object = {}) => ({
  model: 'llama3.2',
  messages: [{ role: 'user', content: 'Hi' }],
  ...extra,
});
const embed = { model: 'nomic-embed-text', input: 'Hi' };

describe('fault: runner-crash', () => {
  it("answers Ollama's 400 on /api/embed and 500 on the legacy /api/embeddings, after loading the model", async () => {
    const s = await start({
      faults: [{ route: ['/api/embed', '/api/embeddings'], fault: { kind: 'runner-crash' } }],
    });
    const a = await send(s.url, '/api/embed', { body: embed });
    expect(a.status).toBe(400);
    expect(a.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(a.text).toBe(`{"error":"${DEAD}"}`);
    const b = await send(s.url, '/api/embeddings', {
      body: { model: 'nomic-embed-text', prompt: 'Hi' },
    });
    expect(b.status).toBe(500);
    expect(b.text).toBe(`{"error":"${DEAD}"}`);
    expect(s.stats().faults).toEqual({ 'runner-crash': 2 });
    // The model was scheduled before its runner was found dead: each request loaded it again.
    expect(s.stats().loads).toBe(2);
  });

  it('answers 500 with the untrimmed text on chat and generate, streamed or not, before any line', async () => {
    const s = await start({
      faults: [{ route: ['/api/chat', '/api/generate'], fault: { kind: 'runner-crash' } }],
    });
    const streamed = await send(s.url, '/api/chat', { body: chat() });
    expect(streamed.status).toBe(500);
    expect(streamed.headers['content-type']).toBe('application/json');
    expect(lines(streamed.text)).toEqual([{ error: `${DEAD} ` }]);
    const whole = await send(s.url, '/api/generate', {
      body: { model: 'llama3.2', prompt: 'Hi', stream: false },
    });
    expect(whole.status).toBe(500);
    expect(whole.text).toBe(`{"error":"${DEAD} "}`);
  });

  it('names the exit status and the last error, and leaves requests that never reach the runner alone', async () => {
    const s = await start({
      faults: [
        {
          route: ['/api/embed', '/api/chat', '/api/tags'],
          fault: { kind: 'runner-crash', exitStatus: -1, lastError: 'CUDA error: out of memory' },
        },
      ],
    });
    const a = await send(s.url, '/api/embed', { body: embed });
    expect(JSON.parse(a.text)).toEqual({
      error: 'llama-server process no longer running: unknown CUDA error: out of memory',
    });
    const b = await send(s.url, '/api/chat', { body: chat({ stream: false }) });
    expect(JSON.parse(b.text)).toEqual({
      error: 'llama-server process no longer running: unknown CUDA error: out of memory',
    });
    // An empty input only loads the model: Ollama never asks the runner.
    const c = await send(s.url, '/api/embed', { body: { model: 'nomic-embed-text' } });
    expect(c.status).toBe(200);
    expect((await send(s.url, '/api/tags')).status).toBe(200);
  });

  it('keeps the status of the native handler on /v1', async () => {
    const s = await start({ faults: [{ fault: { kind: 'runner-crash', exitStatus: 0 } }] });
    const e = await send(s.url, '/v1/embeddings', { body: embed });
    expect(e.status).toBe(400);
    expect(JSON.parse(e.text)).toEqual({
      error: {
        message: 'llama-server process no longer running: OK',
        type: 'invalid_request_error',
        param: null,
        code: null,
      },
    });
    const c = await send(s.url, '/v1/chat/completions', { body: chat() });
    expect(c.status).toBe(500);
    expect(JSON.parse(c.text)).toMatchObject({
      error: { message: 'llama-server process no longer running: OK ', type: 'api_error' },
    });
  });

  it('throws a RangeError for an exit status out of range and a TypeError for a lastError that is not a string', async () => {
    await expect(
      start({ faults: [{ fault: { kind: 'runner-crash', exitStatus: 256 } }] }),
    ).rejects.toThrow(
      new RangeError(
        'Expected `faults[0].fault.exitStatus` to be an integer between -1 and 255, got `256` (number)',
      ),
    );
    await expect(
      start({ faults: [{ fault: { kind: 'runner-crash', lastError: 1 as never } }] }),
    ).rejects.toThrow(
      new TypeError('Expected `faults[0].fault.lastError` to be a string, got `1` (number)'),
    );
  });
});
