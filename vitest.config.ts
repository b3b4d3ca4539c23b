import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Suites load native add-ons (sharp, onnxruntime-node): forks isolate them safely.
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
