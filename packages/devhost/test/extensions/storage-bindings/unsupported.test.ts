import { describe, expect, it } from 'vitest';
import { startHost, UnsupportedBindingsError } from '../../../src/host/start-host';
import type { HostExtension } from '../../../src/shared/host-contracts';
import { captureLogger, fixtureAppDir } from '../../support/host/capture-logger';

/** Serves the fixture's activity trigger and durableClient input, but nothing for its timer trigger. */
const durableOnly: HostExtension = {
    name: 'durable-only',
    triggerTypes: ['activityTrigger'],
    inputBindingTypes: ['durableClient'],
    async start() {},
    async stop() {},
};

describe('an app that uses what the devhost does not run', () => {
    it('is refused at start, naming each function and binding, instead of running without them', async () => {
        const error: unknown = await startHost({
            appDir: fixtureAppDir('http-cjs'),
            port: 0,
            extensions: [durableOnly],
            logger: captureLogger(),
        }).then(
            (host) => host.close().then(() => undefined),
            (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(UnsupportedBindingsError);
        const problems = (error as UnsupportedBindingsError).problems;
        expect(problems).toEqual([expect.stringMatching(/'tick'.*'timerTrigger'/)]);
        expect((error as Error).message).toMatch(/--allow-unsupported/);
    });
});
