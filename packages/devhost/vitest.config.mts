import { defineProject } from 'vitest/config';

export default defineProject({
    test: {
        name: 'devhost',
        include: ['test/**/*.test.ts'],
        globalSetup: ['test/support/global-setup.ts'],
        // Each test file gets its own process: the Functions library keeps registrations per process.
        pool: 'forks',
        testTimeout: 30_000,
        hookTimeout: 60_000,
    },
});
