// Lint rules for the whole repository (the app and the devhost workspace). Type-aware where a rule needs
// types (floating promises), plus the house's boundaries: the app never imports the devhost, the devhost's
// layers point one way (shared <- host <- extensions <- the CLI), the engine stays pure, orchestrators stay
// deterministic (https://learn.microsoft.com/azure/azure-functions/durable/durable-functions-code-constraints).
import js from '@eslint/js';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Every orchestrator lives in src/orchestrators/ (activities in src/activities/, shared schemas in src/contracts/).
const orchestratorFiles = ['src/orchestrators/**/*.ts'];

export default tseslint.config(
    {
        ignores: [
            '**/dist/**',
            '**/dist-bench/**',
            'node_modules/**',
            'coverage/**',
            '.azurite/**',
            'packages/devhost/test/fixtures/**',
            'packages/devhost/bench/results/**',
        ],
    },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        languageOptions: {
            parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
        },
        plugins: { 'import-x': importX },
        // Relative imports are extensionless (CommonJS output): resolve them to the .ts sources.
        settings: {
            // The workspace's own package sorts after the registry's, whether or not it is built yet (unbuilt, the
            // resolver cannot follow its exports and would call it external).
            'import-x/internal-regex': '^devhost(/|$)',
            'import-x/extensions': ['.ts', '.mts', '.js', '.mjs'],
            'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.mts'] },
            'import-x/resolver-next': [
                createNodeResolver({ extensions: ['.ts', '.mts', '.js', '.mjs', '.json', '.node'] }),
            ],
        },
        rules: {
            '@typescript-eslint/no-floating-promises': 'error',
            '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
            '@typescript-eslint/await-thenable': 'error',
            '@typescript-eslint/consistent-type-imports': [
                'error',
                { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
            ],
            '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
            'import-x/no-cycle': 'error',
            // Imports in one order everywhere: Node, packages, then relative paths, each alphabetical.
            'import-x/order': [
                'error',
                {
                    groups: ['builtin', 'external', 'internal', 'parent', 'sibling', 'index'],
                    'newlines-between': 'ignore',
                    alphabetize: { order: 'asc', caseInsensitive: true },
                },
            ],
            // A closure may read a variable that is assigned once, later (the host's origin after listen).
            'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
        },
    },
    {
        files: ['**/*.mjs', '**/*.js'],
        ...tseslint.configs.disableTypeChecked,
        languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: globals.node },
    },
    {
        // The devhost's instance viewer: hand-written ES modules that run in the browser, served as they are.
        files: ['packages/devhost/src/extensions/viewer/static/**/*.js'],
        languageOptions: { globals: globals.browser },
    },
    {
        // bin/ is plain CommonJS so it runs before anything is built.
        files: ['packages/devhost/bin/**/*.js'],
        languageOptions: {
            ...tseslint.configs.disableTypeChecked.languageOptions,
            sourceType: 'commonjs',
            globals: globals.node,
        },
        rules: { '@typescript-eslint/no-require-imports': 'off' },
    },
    {
        // The app is what ships; the devhost never does.
        files: ['src/**/*.ts'],
        rules: {
            'no-restricted-imports': [
                'error',
                {
                    patterns: [
                        {
                            group: ['devhost', 'devhost/*', '**/packages/**'],
                            message: 'The app (src/) never imports the devhost: it does not ship.',
                        },
                    ],
                },
            ],
            '@typescript-eslint/no-explicit-any': 'error',
        },
    },
    {
        // The engine is pure episode logic: no runtime, no storage, no Node I/O.
        files: ['packages/devhost/src/extensions/durable/engine/**/*.ts'],
        rules: {
            'no-restricted-imports': [
                'error',
                {
                    patterns: [
                        { group: ['node:*'], message: 'The engine does no I/O.' },
                        {
                            group: ['**/runtime/**', '**/azure-storage/**', '**/http-api/**', '**/host/**'],
                            message: 'The engine imports no runtime, storage, host or HTTP module.',
                        },
                    ],
                },
            ],
        },
    },
    {
        // The Azure Storage task hub is an adapter: it implements the runtime's port (task-hub-port/) in the
        // provider's layout and speaks the shared vocabulary, but never reaches into the engine, the runtime,
        // the HTTP API or the extension that wires them.
        files: ['packages/devhost/src/extensions/durable/azure-storage/**/*.ts'],
        rules: {
            'no-restricted-imports': [
                'error',
                {
                    patterns: [
                        {
                            group: [
                                '../engine',
                                '../engine/**',
                                '../runtime/**',
                                '../http-api/**',
                                '../extension',
                                '../default-storage',
                                '../sdk-rpc-in-memory',
                            ],
                            message: 'The task hub adapter imports only task-hub-port/, shared/ and the host.',
                        },
                    ],
                },
            ],
        },
    },
    {
        // shared/ is the leaf: the Durable vocabulary and the host contracts import nothing else of the devhost.
        files: ['packages/devhost/src/shared/**/*.ts'],
        rules: {
            'no-restricted-imports': [
                'error',
                {
                    patterns: [
                        { group: ['../*'], message: 'shared/ is a leaf: it imports nothing else of the devhost.' },
                    ],
                },
            ],
        },
    },
    {
        // The host (the worker's stand-in, HTTP, start-up, local storage) knows no extension: they plug in.
        files: ['packages/devhost/src/host/**/*.ts'],
        rules: {
            'no-restricted-imports': [
                'error',
                {
                    patterns: [
                        {
                            group: ['**/extensions/**', '**/default-extensions', '**/testing/**', '**/cli'],
                            message: 'host/ imports only shared/: extensions plug into it, never the reverse.',
                        },
                    ],
                },
            ],
        },
    },
    {
        // Extensions stand side by side: storage bindings know nothing of Durable or the viewer, Durable nothing
        // of the viewer (which reads Durable's task hub).
        files: ['packages/devhost/src/extensions/storage-bindings/**/*.ts'],
        rules: {
            'no-restricted-imports': [
                'error',
                {
                    patterns: [
                        { group: ['**/durable/**', '**/viewer/**'], message: 'Extensions do not import each other.' },
                    ],
                },
            ],
        },
    },
    {
        files: ['packages/devhost/src/extensions/durable/**/*.ts'],
        rules: {
            'no-restricted-imports': [
                'error',
                {
                    patterns: [
                        {
                            group: ['**/viewer/**', '**/storage-bindings/**', '**/testing/**'],
                            message: 'The Durable extension imports no other extension.',
                        },
                    ],
                },
            ],
        },
    },
    {
        // Orchestrators replay: anything non-deterministic breaks in-flight instances.
        files: orchestratorFiles,
        rules: {
            'no-restricted-globals': ['error', { name: 'Date', message: 'Use context.df.currentUtcDateTime.' }],
            'no-restricted-properties': [
                'error',
                { object: 'Math', property: 'random', message: 'Use context.df.newGuid.' },
                {
                    object: 'process',
                    property: 'env',
                    message: 'Read settings in an activity, not in an orchestrator.',
                },
            ],
            'no-restricted-imports': [
                'error',
                { patterns: [{ group: ['node:*'], message: 'Orchestrators do no I/O.' }] },
            ],
        },
    },
);
