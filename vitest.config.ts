import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Suites load native add-ons (sharp, onnxruntime-node): forks isolate them safely.
    pool: 'forks',
    // Compiles dist/ once before any suite (workers and the CLI run compiled code); no suite builds.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
