import { describe, expect, it } from 'vitest';
import { FixtureError, ListenError, SimClosedError } from './errors';

describe('JSON', () => {
  it('shows name, message, code and the fields of each error, never the cause', () => {
    const json = (error: Error): unknown => JSON.parse(JSON.stringify({ error })).error;
    const cause = new Error('listen EADDRINUSE');
    expect(json(new ListenError('127.0.0.1', 11434, cause))).toEqual({
      name: 'ListenError',
      message: 'Cannot listen on 127.0.0.1:11434: listen EADDRINUSE',
      code: 'X_OLLAMA_SIM_LISTEN_FAILED',
      host: '127.0.0.1',
      port: 11434,
    });
    expect(json(new FixtureError('bad fixture', { source: 'x.json', cause }))).toEqual({
      name: 'FixtureError',
      message: 'bad fixture',
      code: 'X_OLLAMA_SIM_FIXTURE_INVALID',
      source: 'x.json',
    });
    expect(json(new SimClosedError('restart'))).toEqual({
      name: 'SimClosedError',
      message: 'Cannot restart: the Ollama simulator is closed',
      code: 'X_OLLAMA_SIM_CLOSED',
    });
  });
});
