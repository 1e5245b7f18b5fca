import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

type IgnoreRulesModule = typeof import('../../scripts/packaging/ignore-rules.mjs', {
    with: { 'resolution-mode': 'import' },
});

/**
 * azure.yaml read as text (no YAML parser ships with the project): the settings azd's packaging depends on.
 * azd 1.23.12 (Azure/azure-dev #7223) keeps node_modules when zipping a `dist` folder without .funcignore only
 * because `remoteBuild: false` is set, and refuses `remoteBuild: false` when the project's .funcignore
 * excludes node_modules.
 */
const projectRoot = join(__dirname, '..', '..');
const azureYaml = readFileSync(join(projectRoot, 'azure.yaml'), 'utf8').replace(/#.*$/gm, '');
let ignoreRules: IgnoreRulesModule;

beforeAll(async () => {
    ignoreRules = await import('../../scripts/packaging/ignore-rules.mjs');
});

describe('azure.yaml', () => {
    it('requires an azd that keeps node_modules in the staged package', () => {
        const required = /^requiredVersions:\s*\n\s+azd:\s*['"]?([^'"\n]+)['"]?\s*$/m.exec(azureYaml)?.[1];
        expect(required?.trim()).toBe('>= 1.23.12');
        expect(readFileSync(join(projectRoot, 'docs/deploy.md'), 'utf8')).toContain('azd 1.23.12');
    });

    it('deploys the staged package, built here, without a remote build', () => {
        expect(azureYaml).toMatch(/^\s+remoteBuild:\s*false\s*$/m);
        expect(azureYaml).toMatch(/^\s+dist:\s*dist\/package\/app\s*$/m);
        expect(azureYaml).toMatch(/^\s+language:\s*ts\s*$/m);
    });

    it('has a .funcignore that keeps node_modules, which azd checks when remoteBuild is false', () => {
        const rules = ignoreRules.parseIgnoreRules(readFileSync(join(projectRoot, '.funcignore'), 'utf8'));
        expect(ignoreRules.isIgnored(rules, 'node_modules', true)).toBe(false);
    });
});
