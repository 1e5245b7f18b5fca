// Lint rules for the whole repository. Type-aware where a rule needs types (floating promises), plus the
// house's boundaries: the app never imports the devhost, the engine stays pure, orchestrators stay
// deterministic (https://learn.microsoft.com/azure/azure-functions/durable/durable-functions-code-constraints).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';
import globals from 'globals';

// Every orchestrator lives in src/orchestrators/ (activities in src/activities/, shared schemas in src/contracts/).
const orchestratorFiles = ['src/orchestrators/**/*.ts'];

export default tseslint.config(
    { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.azurite/**', 'test/fixtures/**', 'bench/results/**'] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        languageOptions: {
            parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
        },
        plugins: { 'import-x': importX },
        // Relative imports are extensionless (CommonJS output): resolve them to the .ts sources.
        settings: {
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
        files: ['devhost/viewer/static/**/*.js'],
        languageOptions: { globals: globals.browser },
    },
    {
        // bin/ is plain CommonJS so it runs before anything is built.
        files: ['bin/**/*.js'],
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
                { patterns: [{ group: ['**/devhost/**'], message: 'src/ must not import devhost/.' }] },
            ],
            '@typescript-eslint/no-explicit-any': 'error',
        },
    },
    {
        // The engine is pure episode logic: no runtime, no storage, no Node I/O.
        files: ['devhost/durable/engine/**/*.ts'],
        rules: {
            'no-restricted-imports': [
                'error',
                {
                    patterns: [
                        { group: ['node:*'], message: 'The engine does no I/O.' },
                        {
                            group: ['**/runtime/**', '**/storage/**', '**/http-api/**'],
                            message: 'The engine imports no runtime, storage or HTTP module.',
                        },
                    ],
                },
            ],
        },
    },
    {
        // Storage is an adapter: it implements the runtime's port (ports/) in the provider's layout and
        // speaks the protocol's vocabulary, but never reaches into the engine, the runtime or the HTTP API.
        files: ['devhost/storage/**/*.ts'],
        rules: {
            'no-restricted-imports': [
                'error',
                {
                    patterns: [
                        {
                            group: ['**/durable/**', '**/http-api/**', '**/boot/**'],
                            message: 'Storage imports only the port (ports/) and protocol/, never durable/.',
                        },
                    ],
                },
            ],
        },
    },
    {
        // The leaves: the Durable vocabulary and the host contracts import nothing else of the devhost.
        files: ['devhost/protocol/**/*.ts', 'devhost/contracts/**/*.ts'],
        rules: {
            'no-restricted-imports': [
                'error',
                {
                    patterns: [
                        {
                            group: ['../*', '!../protocol', '!../protocol/**', '!../contracts', '!../contracts/**'],
                            message: 'protocol/ and contracts/ are leaves.',
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
