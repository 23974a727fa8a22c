import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // tfjs's cpu backend is single-threaded JS; files in parallel just contend for 2 cores.
    fileParallelism: false,
    testTimeout: 60_000,
  },
});
