import { describe, expect, it } from 'vitest';

describe('index', () => {
  it('exports exactly the public API when imported', async () => {
    expect(Object.keys(await import('./index')).sort()).toMatchInlineSnapshot(`
      [
        "ProviderError",
        "Router",
        "RouterCloseTimeoutError",
        "RouterClosedError",
        "RouterError",
        "createRouter",
        "isProviderError",
        "isProviderErrorOfKind",
        "isRouterCloseTimeoutError",
        "isRouterClosedError",
        "isRouterError",
      ]
    `);
  });

  it('exports exactly the Redis state from @x/router/redis', async () => {
    expect(Object.keys(await import('./redis')).sort()).toMatchInlineSnapshot(`
      [
        "createRedisRouterState",
      ]
    `);
  });
});
