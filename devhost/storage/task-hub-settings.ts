/**
 * Task hub name and partition count from host.json, as the Durable extension resolves them
 * (docs/protocol.md §1, §6): `extensions.durableTask.hubName` with `%Setting%` references,
 * else the default — `WEBSITE_SITE_NAME` sanitized, or `TestHubName` locally. An explicit name is validated,
 * never altered, so a bad name fails at start instead of silently naming another hub.
 */
import { z } from 'zod';
import { resolveSettingReferences } from '../contracts/settings';
import { DEFAULT_PARTITION_COUNT, MAX_PARTITION_COUNT } from './hub-resources';

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

const numberOrNumericString = z.union([z.number(), z.string()]);

const hostJsonSchema = z.looseObject({
    extensions: z
        .looseObject({
            durableTask: z
                .looseObject({
                    hubName: z.string().optional(),
                    storageProvider: z.looseObject({ partitionCount: numberOrNumericString.optional() }).optional(),
                })
                .optional(),
        })
        .optional(),
});

function durableTaskSection(hostJson: unknown) {
    return hostJsonSchema.parse(hostJson ?? {}).extensions?.durableTask;
}

export function resolveTaskHubName(hostJson: unknown, env: NodeJS.ProcessEnv = process.env): string {
    const configured = durableTaskSection(hostJson)?.hubName?.trim();
    if (configured) return validateTaskHubName(resolveSettingReferences(configured, env).trim());
    const site = env.WEBSITE_SITE_NAME?.trim();
    return site ? sanitizeDefaultHubName(site) : DEFAULT_HUB_NAME;
}

export function resolvePartitionCount(hostJson: unknown, env: NodeJS.ProcessEnv = process.env): number {
    const configured = durableTaskSection(hostJson)?.storageProvider?.partitionCount;
    if (configured === undefined) return DEFAULT_PARTITION_COUNT;
    const value = typeof configured === 'number' ? configured : Number(resolveSettingReferences(configured, env));
    if (!Number.isInteger(value) || value < 1 || value > MAX_PARTITION_COUNT) {
        throw new RangeError(
            `host.json extensions.durableTask.storageProvider.partitionCount must be 1-${MAX_PARTITION_COUNT}, got ${String(configured)}.`,
        );
    }
    return value;
}
