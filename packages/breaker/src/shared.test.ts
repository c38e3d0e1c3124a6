import { describe, expect, it } from 'vitest';
import { breakerPresets } from './presets';
import { releaseSharedBreaker, sharedBreaker } from './shared';

const boom = () => Promise.reject(new Error('down'));

describe('sharedBreaker', () => {
  it('gives every caller of one name the same breaker, so they open it together', async () => {
    const a = sharedBreaker('shared-test-open', { ...breakerPresets.ollama, failureThreshold: 2 });
    const b = sharedBreaker('shared-test-open');
    expect(b).toBe(a);
    expect(a.name).toBe('shared-test-open');
    await a.execute(boom).catch(() => {});
    await b.execute(boom).catch(() => {});
    expect(a.state).toBe('open');
    expect(sharedBreaker('shared-test-other').state).toBe('closed');
    releaseSharedBreaker('shared-test-open');
    releaseSharedBreaker('shared-test-other');
  });

  it('is found through the Symbol.for registry on globalThis, as a second copy would', () => {
    const a = sharedBreaker('shared-test-global');
    const registry = (
      globalThis as Record<symbol, Map<string, Map<string, { instance: unknown }>>>
    )[Symbol.for('x.breaker.shared')];
    expect(registry?.get('breaker')?.get('shared-test-global')?.instance).toBe(a);
    releaseSharedBreaker('shared-test-global');
  });

  it('throws a RangeError when the same name is asked with other options', () => {
    sharedBreaker('shared-test-conflict', { failureThreshold: 3 });
    expect(() => sharedBreaker('shared-test-conflict', { failureThreshold: 5 })).toThrow(
      /shared breaker "shared-test-conflict" already exists with other options \(`failureThreshold` differs\)/,
    );
    // A typo on a later ask is the option error the first ask would give, not a difference.
    expect(() => sharedBreaker('shared-test-conflict', { failureTreshold: 3 } as never)).toThrow(
      /Unknown option `failureTreshold`: did you mean `failureThreshold`\?/,
    );
    expect(sharedBreaker('shared-test-conflict', { failureThreshold: 3 })).toBe(
      sharedBreaker('shared-test-conflict'),
    );
    releaseSharedBreaker('shared-test-conflict');
  });

  it('creates a fresh breaker after releaseSharedBreaker', () => {
    const a = sharedBreaker('shared-test-release');
    a.open();
    expect(releaseSharedBreaker('shared-test-release')).toBe(true);
    expect(releaseSharedBreaker('shared-test-release')).toBe(false);
    const b = sharedBreaker('shared-test-release');
    expect(b).not.toBe(a);
    expect(b.state).toBe('closed');
    releaseSharedBreaker('shared-test-release');
  });

  it('refuses a name that holds credentials, and an invalid option, before registering', () => {
    expect(() => sharedBreaker('http://user:secret@ollama:11434')).toThrow(RangeError);
    expect(() => sharedBreaker('shared-test-bad', { failureThreshold: 0 })).toThrow(RangeError);
    expect(releaseSharedBreaker('shared-test-bad')).toBe(false);
  });
});
