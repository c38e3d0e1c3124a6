import { describe, expect, it } from 'vitest';
import type { ResolvedAddress } from '../options';
import { SystemLookups, systemLookupLimit } from './system-lookup';

/** Lookups that end only when the test says so, as a hung getaddrinfo. */
function heldLookups() {
  const calls = new Map<string, { answer(r: ResolvedAddress[]): void; fail(e: Error): void }>();
  const lookup = (hostname: string) =>
    new Promise<readonly ResolvedAddress[]>((answer, fail) => {
      calls.set(hostname, { answer, fail });
    });
  return { calls, lookup };
}

const signal = () => new AbortController().signal;
const records = [{ address: '127.0.0.1', family: 4 as const }];

describe('systemLookupLimit', () => {
  it("leaves one thread of libuv's threadpool free, as libuv reads UV_THREADPOOL_SIZE", () => {
    expect(systemLookupLimit(undefined)).toBe(3);
    expect(systemLookupLimit('8')).toBe(7);
    expect(systemLookupLimit('1')).toBe(1);
    expect(systemLookupLimit('0')).toBe(1);
    expect(systemLookupLimit('many')).toBe(1);
    expect(systemLookupLimit('5000')).toBe(1023);
    expect(systemLookupLimit('-1')).toBe(1023);
  });
});

describe('SystemLookups', () => {
  it('ends the wait of a lookup that gives up; the call answers the ones still waiting', async () => {
    const os = heldLookups();
    const lookups = new SystemLookups(os.lookup, 2);
    const gone = new AbortController();
    const a = lookups.resolve('api.test', { signal: gone.signal });
    const b = lookups.resolve('api.test', { signal: signal() });
    expect(os.calls.size).toBe(1);
    gone.abort(new Error('gone'));
    await expect(a).rejects.toThrow('gone');
    expect(lookups.running).toBe(1);
    os.calls.get('api.test')!.answer(records);
    expect(await b).toEqual(records);
    expect(lookups.running).toBe(0);
  });

  it('rejects every lookup of a failed call and frees its place', async () => {
    const os = heldLookups();
    const lookups = new SystemLookups(os.lookup, 1);
    const a = lookups.resolve('a.test', { signal: signal() });
    const b = lookups.resolve('a.test', { signal: signal() });
    const next = lookups.resolve('b.test', { signal: signal() });
    expect(lookups.waiting).toBe(1);
    const failure = Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    os.calls.get('a.test')!.fail(failure);
    await expect(a).rejects.toBe(failure);
    await expect(b).rejects.toBe(failure);
    expect(os.calls.has('b.test')).toBe(true);
    os.calls.get('b.test')!.answer(records);
    expect(await next).toEqual(records);
  });

  it('runs lookups in line in order, skipping the ones whose signal aborted', async () => {
    const os = heldLookups();
    const lookups = new SystemLookups(os.lookup, 1);
    lookups.resolve('a.test', { signal: signal() }).catch(() => {});
    const left = new AbortController();
    const b = lookups.resolve('b.test', { signal: left.signal });
    lookups.resolve('c.test', { signal: signal() }).catch(() => {});
    left.abort(new Error('left'));
    await expect(b).rejects.toThrow('left');
    expect(lookups.waiting).toBe(1);
    os.calls.get('a.test')!.answer(records);
    await new Promise((resolve) => setImmediate(resolve));
    expect([...os.calls.keys()]).toEqual(['a.test', 'c.test']);
    // A lookup of a name whose call runs joins it, past the line and the limit.
    const joined = lookups.resolve('c.test', { signal: signal() });
    expect(lookups.waiting).toBe(0);
    os.calls.get('c.test')!.answer(records);
    expect(await joined).toEqual(records);
  });
});
