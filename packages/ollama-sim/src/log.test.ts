// A real simulator on 127.0.0.1 and the real clock: the entries follow real sockets.
import { recordingLogger, until } from '@x/internal/testing';
import { describe, expect, it, vi } from 'vitest';
import { send } from './__fixtures__/client';
import { simPerTest } from './__fixtures__/sim-per-test';
import { startOllamaSim } from './sim';

const start = simPerTest();

const chat = {
  model: 'llama3.2',
  stream: false,
  messages: [{ role: 'user', content: 'my private question' }],
};

describe('startOllamaSim logger', () => {
  it('logs each request at debug with credential headers redacted, never the body nor the query', async () => {
    const { logger, entries } = recordingLogger();
    const s = await start({ logger, maxLogEntries: 0 });
    const res = await send(s.url, '/api/chat?key=sk-query-secret', {
      body: chat,
      headers: { authorization: 'Bearer sk-header-secret', 'x-trace': 'abc' },
    });
    expect(res.status).toBe(200);
    await until(() => entries.length === 1);
    const [level, fields, message] = entries[0]!;
    expect(level).toBe('debug');
    expect(fields).toMatchObject({
      package: '@x/ollama-sim',
      event: 'request',
      requestId: 1,
      method: 'POST',
      path: '/api/chat',
      model: 'llama3.2',
      status: 200,
      outcome: 'completed',
      durationMs: expect.any(Number),
    });
    expect(fields.headers).toMatchObject({ authorization: '[redacted]', 'x-trace': 'abc' });
    expect(message).toBe('POST /api/chat 200 completed');
    const text = JSON.stringify(entries);
    expect(text).not.toContain('sk-header-secret');
    expect(text).not.toContain('sk-query-secret');
    expect(text).not.toContain('my private question');
  });

  it('logs an injected fault at info', async () => {
    const { logger, entries } = recordingLogger();
    const s = await start({
      logger,
      faults: [{ route: '/api/chat', fault: { kind: 'status', status: 503 } }],
    });
    expect((await send(s.url, '/api/chat', { body: chat })).status).toBe(503);
    await until(() => entries.length === 2);
    expect(entries[0]).toEqual([
      'info',
      {
        package: '@x/ollama-sim',
        event: 'fault',
        requestId: 1,
        path: '/api/chat',
        model: 'llama3.2',
        kinds: ['status'],
      },
      'injected status into /api/chat',
    ]);
    expect(entries[1]![1]).toMatchObject({ event: 'request', status: 503, faults: ['status'] });
  });

  it('answers the request when the logger throws, reporting the error as a warning', async () => {
    const warning = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    try {
      const logger = {
        debug: () => {
          throw new Error('log sink full');
        },
      };
      const s = await start({ logger });
      expect((await send(s.url, '/api/chat', { body: chat })).status).toBe(200);
      await until(() => warning.mock.calls.length > 0);
      expect(warning).toHaveBeenCalledWith(
        '@x/ollama-sim: the logger threw: Error: log sink full',
        expect.objectContaining({ type: 'XLoggerError', code: 'X_OLLAMA_SIM_LOGGER_ERROR' }),
      );
      expect((await send(s.url, '/api/version')).status).toBe(200);
    } finally {
      warning.mockRestore();
    }
  });

  it('throws a TypeError for a logger without log methods', async () => {
    await expect(startOllamaSim({ logger: [] as never })).rejects.toThrow(
      new TypeError(
        'Expected `logger` to be a logger with debug, info, warn, error or log methods (pino, console), got `[]` (array)',
      ),
    );
  });
});
