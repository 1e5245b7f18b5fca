import { defineConfig } from 'vitest/config';

export default defineConfig({
    test: {
        include: ['test/**/*.test.ts'],
        globalSetup: ['test/support/global-setup.ts'],
        // Each test file gets its own process: the Functions library keeps registrations per process.
        pool: 'forks',
        testTimeout: 30_000,
        hookTimeout: 60_000,
    },
});
