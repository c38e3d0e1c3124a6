import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { include: ['examples/**/*.test.ts'], testTimeout: 30_000 },
});
