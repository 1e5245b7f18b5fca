import { defineConfig } from 'vitest/config';

// One run covers both packages: the app's tests here, the devhost's in its workspace (its own config).
// The `source` condition makes `devhost/...` imports load the devhost's TypeScript, as tsconfig's
// customConditions do for the type checker; the built package (dist) is what `npm start` runs.
export default defineConfig({
    resolve: { conditions: ['source'] },
    ssr: { resolve: { conditions: ['source'] } },
    test: {
        projects: [
            {
                extends: true,
                test: {
                    name: 'app',
                    include: ['test/**/*.test.ts'],
                    globalSetup: ['test/support/global-setup.ts'],
                    // Each test file gets its own process: the Functions library keeps registrations per process.
                    pool: 'forks',
                    testTimeout: 30_000,
                    hookTimeout: 60_000,
                },
            },
            'packages/devhost',
            // The devhost's Durable conformance files again, on the in-memory task hub (see that file).
            'packages/devhost/vitest.memory-hub.config.mts',
        ],
    },
});
