import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { objectBodyAfter, stringValueOf, stringVariable } from '../support/deploy/bicep-text';
import { readProjectFile } from '../support/deploy/project-files';

/**
 * Two Node versions, kept in step: Azure runs the app on nodeRuntimeVersion (main.bicep), local development
 * and CI need only package.json engines. The deployed major must satisfy engines, the code must be
 * type-checked against the oldest major engines allows (so it cannot use an API that major lacks), the
 * machine running these tests must satisfy engines, and the docs must name both.
 */

const packageJson = z
    .object({
        engines: z.object({ node: z.string() }),
        devDependencies: z.record(z.string(), z.string()),
    })
    .parse(JSON.parse(readProjectFile('package.json')));

/** Node majors Flex Consumption runs that are not past end of life (Node 20 ended in April 2026). */
const SUPPORTED_DEPLOY_MAJORS = ['22', '24'];

const deployMajor = stringVariable(readProjectFile('infra/main.bicep'), 'nodeRuntimeVersion');
const localMinimum = /^>=\s*(\d+)(?:\.\d+){0,2}$/.exec(packageJson.engines.node)?.[1];

describe('Node: deployed on one major, developed on another', () => {
    it('deploys on a supported major, passed to the site as functionAppConfig.runtime', () => {
        expect(SUPPORTED_DEPLOY_MAJORS).toContain(deployMajor);
        const runtime = objectBodyAfter(readProjectFile('infra/app/function-app.bicep'), /runtime\s*:\s*\{/);
        expect(stringValueOf(runtime, 'name')).toBe('node');
        expect(runtime).toMatch(/version:\s*nodeRuntimeVersion/);
    });

    it('keeps engines a plain >= range that the deployed major satisfies', () => {
        expect(localMinimum, `engines.node '${packageJson.engines.node}' should be a >= range`).toBeDefined();
        expect(Number(deployMajor)).toBeGreaterThanOrEqual(Number(localMinimum));
    });

    it('type-checks against the oldest major engines allows, so code runs on both', () => {
        const typesMajor = /^\D*(\d+)\./.exec(packageJson.devDependencies['@types/node'] ?? '')?.[1];
        expect(typesMajor).toBe(localMinimum);
    });

    it('runs these tests on a Node that engines accepts', () => {
        expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(Number(localMinimum));
    });

    it('names both versions where people read them', () => {
        const deployDoc = readProjectFile('docs/deploy.md');
        expect(deployDoc).toContain(`Node ${deployMajor}`);
        expect(deployDoc).toContain(`Node.js ${localMinimum} or later`);
        expect(readProjectFile('README.md')).toContain(`Node.js ${localMinimum} or later`);
    });
});
