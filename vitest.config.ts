import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests start their own fauxqs + dynalite per file; two cores here.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
