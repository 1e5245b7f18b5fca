/**
 * Orchestration versioning as the Durable extension configures it (host.json `extensions.durableTask`
 * `defaultVersion`, `versionMatchStrategy`, `versionFailureStrategy`; docs/protocol.md §16) and DTFx decides it
 * (Azure/durabletask, `DurableTask.Core/Settings/VersioningSettings.cs` and the check at the top of
 * `TaskOrchestrationDispatcher.OnProcessWorkItemAsync`). Pure: the comparison, the match and the boundary schemas;
 * version-gate.ts acts on the verdict.
 */
import { z } from 'zod';

export const VERSION_MATCH_STRATEGIES = ['None', 'Strict', 'CurrentOrOlder'] as const;
export const VERSION_FAILURE_STRATEGIES = ['Reject', 'Fail'] as const;
export type VersionMatchStrategy = (typeof VERSION_MATCH_STRATEGIES)[number];
export type VersionFailureStrategy = (typeof VERSION_FAILURE_STRATEGIES)[number];

export interface VersioningConfig {
    /** The host's version: stamps new instances and sub-orchestrations; '' when host.json sets none. */
    defaultVersion: string;
    /** Which instances this host runs (DTFx's default is None; the extension's is CurrentOrOlder). */
    matchStrategy: VersionMatchStrategy;
    /** What becomes of an instance it may not run. */
    failureStrategy: VersionFailureStrategy;
}

/** The extension's defaults (Microsoft's "Orchestration versioning in Durable Functions", Advanced usage). */
export const DEFAULT_VERSIONING: VersioningConfig = {
    defaultVersion: '',
    matchStrategy: 'CurrentOrOlder',
    failureStrategy: 'Reject',
};

/**
 * DTFx's failure for the Fail strategy: `new FailureDetails("VersionMismatch", "Orchestration version did not
 * comply with Worker Versioning", null, null, true)`. The provider writes `FailureDetails.ToString()`
 * (`"{ErrorType}: {ErrorMessage}"`) into the Instances row's Output (AzureTableTrackingStore.UpdateStateAsync).
 */
export const VERSION_MISMATCH_ERROR_TYPE = 'VersionMismatch';
export const VERSION_MISMATCH_MESSAGE = 'Orchestration version did not comply with Worker Versioning';
export const VERSION_MISMATCH_OUTPUT = `${VERSION_MISMATCH_ERROR_TYPE}: ${VERSION_MISMATCH_MESSAGE}`;

/** Longest version the devhost takes from a client or host.json: a version is a label, not a payload. */
export const MAX_VERSION_LENGTH = 100;

/**
 * A version as a client or host.json gives it. The extension takes any string; the devhost refuses what can
 * only be a mistake (control characters, which a log line or the viewer would mangle, and a very long label),
 * so it fails at the boundary with a reason instead of producing an instance nobody can match.
 */
export const orchestrationVersionSchema = z
    .string()
    .max(MAX_VERSION_LENGTH, { message: `a version has at most ${MAX_VERSION_LENGTH} characters` })
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
    .refine((value) => !/[\u0000-\u001f\u007f-\u009f]/.test(value), {
        message: 'a version must not contain control characters',
    });

/**
 * A strategy name as host.json spells it. The extension binds host.json through .NET configuration, which
 * parses enum names without regard to case; the devhost does the same and names the valid values otherwise.
 */
export function strategySchema<T extends string>(names: readonly T[]) {
    return z.string().transform((value, ctx): T => {
        const found = names.find((name) => name.toLowerCase() === value.trim().toLowerCase());
        if (found !== undefined) return found;
        ctx.addIssue({
            code: 'custom',
            message: `'${value}' is not a valid strategy; expected one of ${names.join(', ')}`,
        });
        return z.NEVER;
    });
}

/** The version a start asks for, or the host's default when it asks for none ('' and null are none). */
export function versionOrDefault(requested: string | null | undefined, defaultVersion: string | undefined): string {
    return requested !== undefined && requested !== null && requested !== '' ? requested : (defaultVersion ?? '');
}

/**
 * DTFx `VersioningSettings.CompareVersions`: empty (null or white space) versions are equal and older than any
 * other; two versions System.Version parses compare as versions (1.10 > 1.9, "1.0" < "1.0.0"); anything else
 * compares as text, ordinal and ignoring case. Returns <0, 0 or >0.
 */
export function compareVersions(source: string | null | undefined, other: string | null | undefined): number {
    const sourceEmpty = isNullOrWhiteSpace(source);
    const otherEmpty = isNullOrWhiteSpace(other);
    if (sourceEmpty && otherEmpty) return 0;
    if (sourceEmpty) return -1;
    if (otherEmpty) return 1;
    const a = parseDotNetVersion(source as string);
    const b = parseDotNetVersion(other as string);
    if (a && b) {
        for (let i = 0; i < 4; i++) {
            const difference = (a[i] ?? -1) - (b[i] ?? -1);
            if (difference !== 0) return Math.sign(difference);
        }
        return 0;
    }
    return compareOrdinalIgnoreCase(source as string, other as string);
}

/**
 * Whether a host with `config` runs an instance of `instanceVersion` (TaskOrchestrationDispatcher): None runs
 * all; Strict only the host's own version (C#'s string `!=`, so exact and case-sensitive); CurrentOrOlder
 * every version CompareVersions puts at or below the host's.
 */
export function versionMatches(instanceVersion: string | null | undefined, config: VersioningConfig): boolean {
    switch (config.matchStrategy) {
        case 'None':
            return true;
        case 'Strict':
            return (instanceVersion ?? '') === config.defaultVersion;
        case 'CurrentOrOlder':
            return compareVersions(instanceVersion, config.defaultVersion) <= 0;
    }
}

/** Why an instance of `instanceVersion` does not run here, for logs and the viewer. */
export function mismatchReason(instanceVersion: string | null | undefined, config: VersioningConfig): string {
    const version = shown(instanceVersion ?? '');
    const host = shown(config.defaultVersion);
    const rule =
        config.matchStrategy === 'Strict'
            ? `this host runs only version ${host} (versionMatchStrategy Strict)`
            : `this host runs versions up to ${host} (versionMatchStrategy CurrentOrOlder)`;
    return `Orchestration version ${version} does not match: ${rule}.`;
}

function shown(version: string): string {
    return version === '' ? '(none)' : `'${version}'`;
}

function isNullOrWhiteSpace(value: string | null | undefined): boolean {
    return value === null || value === undefined || value.trim() === '';
}

/** .NET's int.Parse with NumberStyles.Integer: ASCII white space around, an optional sign, ASCII digits. */
const VERSION_COMPONENT = /^[\t\n\v\f\r ]*[+-]?[0-9]+[\t\n\v\f\r ]*$/;
const INT32_MAX = 2_147_483_647;

/**
 * System.Version.TryParse: two to four dot-separated components, each a non-negative Int32 (as .NET parses an
 * int: white space and a sign allowed). Build and revision are undefined when absent, and CompareTo orders an
 * undefined component before 0.
 */
export function parseDotNetVersion(text: string): number[] | undefined {
    const parts = text.split('.');
    if (parts.length < 2 || parts.length > 4) return undefined;
    const numbers: number[] = [];
    for (const part of parts) {
        if (!VERSION_COMPONENT.test(part)) return undefined;
        const value = Number(part.trim());
        if (!Number.isSafeInteger(value) || value < 0 || value > INT32_MAX) return undefined;
        numbers.push(value === 0 ? 0 : value); // -0 parses as 0
    }
    return numbers;
}

/** string.Compare(a, b, StringComparison.OrdinalIgnoreCase): UTF-16 units, each upper-cased on its own. */
function compareOrdinalIgnoreCase(a: string, b: string): number {
    const length = Math.min(a.length, b.length);
    for (let i = 0; i < length; i++) {
        const x = upperUnit(a.charAt(i));
        const y = upperUnit(b.charAt(i));
        if (x !== y) return x < y ? -1 : 1;
    }
    return Math.sign(a.length - b.length);
}

/** One unit upper-cased, unless upper-casing would change its length (ß → SS): ordinal comparison never expands. */
function upperUnit(unit: string): number {
    const upper = unit.toUpperCase();
    return (upper.length === 1 ? upper : unit).charCodeAt(0);
}
