import { describe, expect, it } from 'vitest';
import { ListenError } from './errors';
import { resolveOptions } from './options';
import { startOllamaSim } from './sim';

const SECRET = 'sk-pw1234567';

describe('the host option', () => {
  it('refuses a host with userinfo as a RangeError naming host, without the password', async () => {
    const error = await startOllamaSim({ host: `user:${SECRET}@localhost` }).catch((e) => e);
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toMatch(/^Expected `host` to be a host name or IP address/);
    expect(error.message).toContain('[redacted]@localhost');
    expect(error.message).not.toContain(SECRET);
    expect(JSON.stringify(error)).not.toContain(SECRET);
  });

  it('refuses a URL, a port, a path, brackets or an empty string as a RangeError before listening', async () => {
    for (const host of [
      'http://localhost:11434',
      'localhost:11434',
      '127.0.0.1:0',
      'localhost/api',
      '[::1]',
      'local host',
      '',
      'a..b',
    ]) {
      const error = await startOllamaSim({ host }).catch((e) => e);
      expect(error, JSON.stringify(host)).toBeInstanceOf(RangeError);
      expect(error.message, JSON.stringify(host)).toMatch(/^Expected `host` to be a host name/);
    }
  });

  it('refuses a host that is not a string as a TypeError', async () => {
    const error = await startOllamaSim({ host: 11434 as never }).catch((e) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe('Expected `host` to be a string, got `11434` (number)');
  });

  it('accepts host names and IPv4 and IPv6 addresses as the README lists them', () => {
    for (const host of [
      '127.0.0.1',
      '0.0.0.0',
      '::1',
      '::',
      'localhost',
      'sim-1.internal',
      'a_b',
    ]) {
      expect(resolveOptions({ host }).host, host).toBe(host);
    }
    expect(resolveOptions({}).host).toBe('127.0.0.1');
  });
});

describe('ListenError', () => {
  it('never shows the userinfo of a host that reaches it, in its message, host or JSON', () => {
    const host = `user:${SECRET}@localhost`;
    const error = new ListenError(host, 0, new Error(`getaddrinfo ENOTFOUND ${host}`));
    expect(error.message).toBe(
      'Cannot listen on [redacted]@localhost:0: getaddrinfo ENOTFOUND [redacted]@localhost',
    );
    expect(error.host).toBe('[redacted]@localhost');
    expect(JSON.stringify(error)).not.toContain(SECRET);
  });
});

describe('ListenError on a port in use', () => {
  it('says how to pick a free port, in options and on the command line', async () => {
    await using first = await startOllamaSim({ port: 0 });
    const taken = Number(new URL(first.url).port);
    const error = await startOllamaSim({ port: taken }).catch((e) => e);
    expect(error).toBeInstanceOf(ListenError);
    expect(error.message).toMatch(
      new RegExp(`^Cannot listen on 127\\.0\\.0\\.1:${taken}: .*EADDRINUSE`),
    );
    expect(error.message).toContain('the port is in use: pass `port: 0`');
    expect(error.message).toContain('`--port 0` on the command line');
  });
});
