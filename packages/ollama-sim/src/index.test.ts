import { describe, expect, it } from 'vitest';

describe('index', () => {
  it('exports exactly the public API when imported', async () => {
    expect(Object.keys(await import('./index')).sort()).toMatchInlineSnapshot(`
      [
        "FixtureError",
        "ListenError",
        "SimClosedError",
        "defaultModels",
        "fixtureBody",
        "isFixtureError",
        "isListenError",
        "isOllamaSimError",
        "isSimClosedError",
        "loadFixture",
        "loadRecordedFixtures",
        "parseFixture",
        "recordedFixturesDir",
        "startOllamaSim",
      ]
    `);
  });
});
