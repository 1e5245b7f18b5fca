/**
 * The task hub name as the Durable extension resolves it (docs/protocol.md §1): an explicit name is validated,
 * never altered, so a bad name fails at start instead of silently naming another hub; the default is the
 * extension's. The one place the devhost decides a hub name.
 */

export const DEFAULT_HUB_NAME = 'TestHubName';
const MAX_HUB_NAME_LENGTH = 45;
const MIN_HUB_NAME_LENGTH = 3;

export class InvalidTaskHubNameError extends Error {
    constructor(readonly hubName: string) {
        super(
            `Task hub name '${hubName}' is not valid: it should contain only alphanumeric characters, start with a letter, ` +
                `and have length between ${MIN_HUB_NAME_LENGTH} and ${MAX_HUB_NAME_LENGTH} (host.json extensions.durableTask.hubName).`,
        );
        this.name = 'InvalidTaskHubNameError';
    }
}

/** The name becomes table, queue and container names; letters and digits only, starting with a letter. */
export function validateTaskHubName(name: string): string {
    if (
        !/^[A-Za-z][A-Za-z0-9]*$/.test(name) ||
        name.length < MIN_HUB_NAME_LENGTH ||
        name.length > MAX_HUB_NAME_LENGTH
    ) {
        throw new InvalidTaskHubNameError(name);
    }
    return name;
}

/**
 * The extension's clean-up of a default name (a site name may hold hyphens or start with a digit). The
 * extension keeps every Unicode letter or digit; only ASCII ones are kept here, since storage names allow
 * nothing else and a site name has no other letters.
 */
export function sanitizeDefaultHubName(raw: string): string {
    let name = raw.replace(/[^A-Za-z0-9]/g, '');
    if (name.length === 0) return 'DefaultTaskHub';
    if (/^[0-9]/.test(name)) name = `t${name}`;
    name = name.slice(0, MAX_HUB_NAME_LENGTH);
    if (name.length < MIN_HUB_NAME_LENGTH) name += 'Hub';
    return name;
}

/**
 * The hub the extension uses: the host.json name (its `%Setting%` references already resolved by the durable
 * config) validated as it is, else the default: `WEBSITE_SITE_NAME` sanitized on Azure, `TestHubName` locally.
 */
export function taskHubName(configured: string | undefined, env: NodeJS.ProcessEnv): string {
    const explicit = configured?.trim();
    if (explicit) return validateTaskHubName(explicit);
    const site = env.WEBSITE_SITE_NAME?.trim();
    return site ? sanitizeDefaultHubName(site) : DEFAULT_HUB_NAME;
}
