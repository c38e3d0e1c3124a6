import { describe, expect, it } from 'vitest';

describe('index', () => {
  it('exports exactly the public API when imported', async () => {
    expect(Object.keys(await import('./index')).sort()).toMatchInlineSnapshot(`
      [
        "BreakerIgnore",
        "BreakerOpenError",
        "BreakerProbeTimeoutError",
        "breakerChannels",
        "breakerPresets",
        "createBreaker",
        "ignoreOutcome",
        "isBreakerError",
        "isBreakerIgnore",
        "isBreakerOpenError",
        "isBreakerProbeTimeoutError",
        "releaseSharedBreaker",
        "sharedBreaker",
      ]
    `);
  });
});
