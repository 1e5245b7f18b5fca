import { beforeAll, describe, expect, it } from 'vitest';

// An ES module imported from this CommonJS-compiled test, hence the dynamic import.
type IgnoreRulesModule = typeof import('../../scripts/packaging/ignore-rules.mjs', {
    with: { 'resolution-mode': 'import' },
});
let globToRegExp: IgnoreRulesModule['globToRegExp'];
let isIgnored: IgnoreRulesModule['isIgnored'];
let rules: ReturnType<IgnoreRulesModule['parseIgnoreRules']>;

beforeAll(async () => {
    const loaded = await import('../../scripts/packaging/ignore-rules.mjs');
    globToRegExp = loaded.globToRegExp;
    isIgnored = loaded.isIgnored;
    rules = loaded.parseIgnoreRules(
        ['# comment', '', '*.ts', '/src', 'build/', '/dist/*', '!/dist/src', '**/fixtures/**'].join('\n'),
    );
});

describe('.funcignore rules (gitignore semantics)', () => {
    it('matches an unanchored pattern against the name at any depth', () => {
        expect(isIgnored(rules, 'index.ts', false)).toBe(true);
        expect(isIgnored(rules, 'node_modules/zod/index.d.ts', false)).toBe(true);
        expect(isIgnored(rules, 'node_modules/zod/index.js', false)).toBe(false);
    });

    it('anchors a pattern with a leading slash at the root only', () => {
        expect(isIgnored(rules, 'src', true)).toBe(true);
        expect(isIgnored(rules, 'dist/src', true)).toBe(false);
    });

    it('lets a later negation re-include what an earlier rule excluded', () => {
        expect(isIgnored(rules, 'dist/devhost', true)).toBe(true);
        expect(isIgnored(rules, 'dist/src', true)).toBe(false);
    });

    it('applies a trailing-slash pattern to directories only', () => {
        expect(isIgnored(rules, 'lib/build', true)).toBe(true);
        expect(isIgnored(rules, 'lib/build', false)).toBe(false);
    });

    it('lets ** cross directories', () => {
        expect(isIgnored(rules, 'a/b/fixtures/c/d.json', false)).toBe(true);
    });

    it('reads package.json main globs, braces included', () => {
        expect(globToRegExp('dist/src/functions/*.js').test('dist/src/functions/http_start.js')).toBe(true);
        expect(globToRegExp('dist/src/functions/*.js').test('dist/src/functions/nested/x.js')).toBe(false);
        const braces = globToRegExp('dist/src/{index.js,functions/*.js}');
        expect(braces.test('dist/src/index.js')).toBe(true);
        expect(braces.test('dist/src/functions/a.js')).toBe(true);
        expect(braces.test('dist/src/other.js')).toBe(false);
    });
});
