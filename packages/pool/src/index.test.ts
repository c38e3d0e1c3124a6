import { describe, expect, it } from 'vitest';

describe('index', () => {
  it('exports exactly the public API', async () => {
    expect(Object.keys(await import('./index')).sort()).toMatchInlineSnapshot(`
      [
        "PoolClosedError",
        "PoolDnsError",
        "PoolRedirectError",
        "PoolTimeoutError",
        "createPool",
        "getGlobalPool",
        "isPoolClosedError",
        "isPoolDnsError",
        "isPoolError",
        "isPoolRedirectError",
        "isPoolTimeoutError",
        "setGlobalPool",
      ]
    `);
  });
});
