/**
 * Orchestration versioning's rules, without storage: DTFx's VersioningSettings.CompareVersions (its own test
 * cases first), the match strategies, host.json parsing, the version a batch is judged by, and what the gate
 * does with a batch it may not run (versioning.ts, version-gate.ts; docs/protocol.md §16).
 */
import { describe, expect, it } from 'vitest';
import {
    eventRaisedMessage,
    executionStartedEvent,
    executionStartedMessage,
} from '../../../../src/extensions/durable/engine';
import {
    DEFAULT_DURABLE_CONFIG,
    durableConfigFromHostJson,
} from '../../../../src/extensions/durable/runtime/durable-config';
import { inProcessWorkItem } from '../../../../src/extensions/durable/runtime/in-process-work-items';
import type { MessageSettlement } from '../../../../src/extensions/durable/runtime/message-settlement';
import { VersionGate, versionToRun } from '../../../../src/extensions/durable/runtime/version-gate';
import {
    compareVersions,
    parseDotNetVersion,
    versionMatches,
    versionOrDefault,
    VERSION_MISMATCH_OUTPUT,
    type VersioningConfig,
} from '../../../../src/extensions/durable/runtime/versioning';
import type {
    ReceivedMessage,
    TaskHubStorage,
} from '../../../../src/extensions/durable/task-hub-port/task-hub-storage';
import { EventType, type HistoryEvent, type TaskMessage } from '../../../../src/shared/history';
import { silentLogger } from '../../../support/host/capture-logger';

const sign = (n: number): number => Math.sign(n);

describe('compareVersions follows DTFx VersioningSettings.CompareVersions', () => {
    it.each([
        // Azure/durabletask Test/DurableTask.Core.Tests/VersionSettingsTests.cs
        ['1.0.0', '1.0.0', 0],
        ['1.1.0', '1.0.0', 1],
        ['1.0.0', '1.1.0', -1],
        ['1', '1', 0],
        ['2', '1', 1],
        ['1', '2', -1],
        ['', '1', -1],
        ['1', '', 1],
        ['', '', 0],
    ])('compares %j with %j as %i (DTFx test cases)', (a, b, expected) => {
        expect(sign(compareVersions(a, b))).toBe(expected);
    });

    it('compares two-to-four-part versions numerically, not as text', () => {
        expect(sign(compareVersions('1.10', '1.9'))).toBe(1);
        expect(sign(compareVersions('10.0', '9.0'))).toBe(1);
        expect(sign(compareVersions('2.0.0.1', '2.0.0.0'))).toBe(1);
    });

    it('orders a missing build or revision before 0, as System.Version.CompareTo does', () => {
        expect(sign(compareVersions('1.0', '1.0.0'))).toBe(-1);
        expect(sign(compareVersions('1.0.0', '1.0.0.0'))).toBe(-1);
    });

    it('treats null, undefined and white space as no version, older than any version', () => {
        expect(compareVersions(null, '')).toBe(0);
        expect(compareVersions(undefined, '   ')).toBe(0);
        expect(sign(compareVersions(' ', '0.1'))).toBe(-1);
        expect(sign(compareVersions('0.1', null))).toBe(1);
    });

    it('falls back to an ordinal comparison ignoring case when either side is not a System.Version', () => {
        expect(compareVersions('v1.0-release', 'V1.0-RELEASE')).toBe(0);
        expect(sign(compareVersions('2025-01-02', '2025-01-10'))).toBe(-1);
        // "10" is no System.Version (one part), so "10" < "9" as text, unlike "10.0" > "9.0".
        expect(sign(compareVersions('10', '9'))).toBe(-1);
        expect(sign(compareVersions('1.0', '1.0-beta'))).toBe(-1);
    });

    it('parses versions as System.Version.TryParse does', () => {
        expect(parseDotNetVersion('1.2')).toEqual([1, 2]);
        expect(parseDotNetVersion(' 1 .+2.3')).toEqual([1, 2, 3]);
        expect(parseDotNetVersion('1')).toBeUndefined();
        expect(parseDotNetVersion('1.2.3.4.5')).toBeUndefined();
        expect(parseDotNetVersion('1.-2')).toBeUndefined();
        expect(parseDotNetVersion('1.2147483648')).toBeUndefined();
        expect(parseDotNetVersion('1.a')).toBeUndefined();
    });
});

const host = (defaultVersion: string, matchStrategy: VersioningConfig['matchStrategy']): VersioningConfig => ({
    defaultVersion,
    matchStrategy,
    failureStrategy: 'Reject',
});

describe('versionMatches applies the match strategy', () => {
    it('runs every version with None', () => {
        for (const version of ['', '0.1', '1.0', '99.0', 'anything'])
            expect(versionMatches(version, host('1.0', 'None'))).toBe(true);
    });

    it('runs only the host version with Strict, exactly and case-sensitively', () => {
        expect(versionMatches('1.0', host('1.0', 'Strict'))).toBe(true);
        expect(versionMatches('0.9', host('1.0', 'Strict'))).toBe(false);
        expect(versionMatches('2.0', host('1.0', 'Strict'))).toBe(false);
        expect(versionMatches('1.0.0', host('1.0', 'Strict'))).toBe(false);
        expect(versionMatches('V1', host('v1', 'Strict'))).toBe(false);
        expect(versionMatches('', host('', 'Strict'))).toBe(true);
        expect(versionMatches(null, host('', 'Strict'))).toBe(true);
    });

    it('runs the host version and older ones with CurrentOrOlder, unversioned instances included', () => {
        const config = host('2.0', 'CurrentOrOlder');
        expect(versionMatches('2.0', config)).toBe(true);
        expect(versionMatches('1.0', config)).toBe(true);
        expect(versionMatches('', config)).toBe(true);
        expect(versionMatches('2.1', config)).toBe(false);
        expect(versionMatches('10.0', config)).toBe(false);
    });

    it('turns a versioned instance away from a host without a defaultVersion under CurrentOrOlder', () => {
        expect(versionMatches('1.0', host('', 'CurrentOrOlder'))).toBe(false);
    });

    it('uses the requested version, else the host default', () => {
        expect(versionOrDefault('0.5', '1.0')).toBe('0.5');
        expect(versionOrDefault('', '1.0')).toBe('1.0');
        expect(versionOrDefault(null, '1.0')).toBe('1.0');
        expect(versionOrDefault(undefined, undefined)).toBe('');
    });
});

describe('host.json versioning settings', () => {
    const parse = (durableTask: Record<string, unknown>) =>
        durableConfigFromHostJson({ version: '2.0', extensions: { durableTask } }, {});

    it('defaults to no defaultVersion, CurrentOrOlder and Reject', () => {
        expect(parse({}).versioning).toEqual({
            defaultVersion: '',
            matchStrategy: 'CurrentOrOlder',
            failureStrategy: 'Reject',
        });
        expect(DEFAULT_DURABLE_CONFIG.versioning.matchStrategy).toBe('CurrentOrOlder');
    });

    it('reads defaultVersion and both strategies, names in any case', () => {
        expect(
            parse({ defaultVersion: '2.0', versionMatchStrategy: 'strict', versionFailureStrategy: 'FAIL' }).versioning,
        ).toEqual({ defaultVersion: '2.0', matchStrategy: 'Strict', failureStrategy: 'Fail' });
    });

    it('takes "defaultVersion": null as no default version', () => {
        expect(parse({ defaultVersion: null }).versioning.defaultVersion).toBe('');
    });

    it('names the valid values for an unknown strategy', () => {
        expect(() => parse({ versionMatchStrategy: 'Latest' })).toThrow(
            "host.json extensions.durableTask is invalid: extensions.durableTask.versionMatchStrategy: 'Latest' is not a valid strategy; expected one of None, Strict, CurrentOrOlder",
        );
        expect(() => parse({ versionFailureStrategy: 'Retry' })).toThrow(/expected one of Reject, Fail/);
    });

    it('refuses a defaultVersion that is not text or holds control characters', () => {
        expect(() => parse({ defaultVersion: 2 })).toThrow(/defaultVersion/);
        expect(() => parse({ defaultVersion: '1.0\n' })).toThrow(/control characters/);
    });
});

const NOW = new Date('2026-01-01T00:00:00Z');

function start(instanceId: string, executionId: string, version: string): TaskMessage {
    return executionStartedMessage({ instanceId, executionId, name: 'flow', input: undefined, version, now: NOW });
}

function startedEvent(executionId: string, version: string): HistoryEvent {
    return executionStartedEvent({ instanceId: 'i', executionId, name: 'flow', input: undefined, version, now: NOW });
}

const completed: HistoryEvent = {
    EventType: EventType.ExecutionCompleted,
    EventId: 1,
    IsPlayed: false,
    Timestamp: NOW.toISOString(),
    OrchestrationStatus: 0,
    Result: null,
    FailureDetails: null,
};

describe('versionToRun', () => {
    it('judges a running execution by its own version, whatever the batch brings', () => {
        expect(
            versionToRun(
                [startedEvent('e1', '1.0')],
                [eventRaisedMessage({ instanceId: 'i', name: 'x', data: 1, now: NOW })],
            ),
        ).toBe('1.0');
    });

    it('judges a new instance or a restart by the start in the batch', () => {
        expect(versionToRun([], [start('i', 'e1', '2.0')])).toBe('2.0');
        expect(versionToRun([startedEvent('e1', '1.0'), completed], [start('i', 'e2', '2.0')])).toBe('2.0');
    });

    it('leaves to the engine what would not run the orchestrator', () => {
        expect(
            versionToRun([], [eventRaisedMessage({ instanceId: 'i', name: 'x', data: 1, now: NOW })]),
        ).toBeUndefined();
        // A stale copy of the finished execution's own start.
        expect(versionToRun([startedEvent('e1', '2.0'), completed], [start('i', 'e1', '2.0')])).toBeUndefined();
    });
});

interface Recorded {
    abandoned: Array<{ id: string; seconds: number | undefined }>;
    deleted: string[];
    sent: Array<{ message: TaskMessage; visibleAt: Date | undefined }>;
}

function gateWith(config: VersioningConfig): { gate: VersionGate; settlement: MessageSettlement; recorded: Recorded } {
    const recorded: Recorded = { abandoned: [], deleted: [], sent: [] };
    const pending: Array<Promise<unknown>> = [];
    const settlement = {
        abandon: (batch: readonly ReceivedMessage[], seconds?: number) => {
            for (const item of batch) recorded.abandoned.push({ id: item.messageId, seconds });
        },
        delete: (item: ReceivedMessage) => {
            recorded.deleted.push(item.messageId);
            return Promise.resolve();
        },
        track: (work: Promise<unknown>) => void pending.push(work),
    } as unknown as MessageSettlement;
    const storage = {
        sendControlMessage: (message: TaskMessage, options?: { visibleAt?: Date }) => {
            recorded.sent.push({ message, visibleAt: options?.visibleAt });
            return Promise.resolve();
        },
    } as unknown as TaskHubStorage;
    const gate = new VersionGate({ versioning: config, storage, logger: silentLogger, clock: () => NOW });
    return { gate, settlement, recorded };
}

function queued(message: TaskMessage, dequeueCount: number): ReceivedMessage {
    return {
        message,
        queueName: 'hub-control-00',
        messageId: `m${dequeueCount}`,
        popReceipt: 'r',
        dequeueCount,
        insertedOn: NOW,
    };
}

describe('VersionGate', () => {
    it('runs a matching instance unchanged', () => {
        const { gate, settlement, recorded } = gateWith({ ...host('1.0', 'CurrentOrOlder') });
        const admission = gate.admit('i', [], [queued(start('i', 'e1', '1.0'), 1)], settlement);
        expect(admission).toMatchObject({ run: true, request: {} });
        expect(recorded).toEqual({ abandoned: [], deleted: [], sent: [] });
    });

    it('rejects a newer instance: queue messages go back with the provider back-off, min(2^dequeueCount, 600) s', () => {
        const { gate, settlement, recorded } = gateWith(host('1.0', 'CurrentOrOlder'));
        const admission = gate.admit('i', [], [queued(start('i', 'e1', '2.0'), 3)], settlement);
        expect(admission.run).toBe(false);
        expect(recorded.abandoned).toEqual([{ id: 'm3', seconds: 8 }]);
        expect(gate.rejection('i')).toMatchObject({ instanceId: 'i', version: '2.0' });
        expect(gate.rejection('i')?.reason).toContain("Orchestration version '2.0' does not match");
        gate.admit('i', [], [queued(start('i', 'e1', '2.0'), 20)], settlement);
        expect(recorded.abandoned[1]).toEqual({ id: 'm20', seconds: 600 });
    });

    it('rejects a start kept in memory by sending it to the control queue, delayed, and letting go of the in-memory copy', async () => {
        const { gate, settlement, recorded } = gateWith(host('1.0', 'Strict'));
        const inMemory = inProcessWorkItem(start('i', 'e1', '2.0'), NOW);
        expect(gate.admit('i', [], [inMemory], settlement).run).toBe(false);
        await new Promise((resolve) => setImmediate(resolve));
        expect(recorded.sent).toHaveLength(1);
        expect(recorded.sent[0]?.message.Event).toMatchObject({
            EventType: EventType.ExecutionStarted,
            Version: '2.0',
        });
        expect(recorded.sent[0]?.visibleAt?.getTime()).toBe(NOW.getTime() + 2000);
        expect(recorded.deleted).toEqual([inMemory.messageId]);
        expect(recorded.abandoned).toEqual([]);
    });

    it('forgets a rejection once the instance runs', () => {
        const { gate, settlement } = gateWith(host('1.0', 'CurrentOrOlder'));
        gate.admit('i', [], [queued(start('i', 'e1', '2.0'), 1)], settlement);
        expect(gate.rejected).toHaveLength(1);
        const newer = new VersionGate({
            versioning: host('2.0', 'CurrentOrOlder'),
            storage: {} as TaskHubStorage,
            logger: silentLogger,
            clock: () => NOW,
        });
        expect(newer.admit('i', [], [queued(start('i', 'e1', '2.0'), 2)], settlement).run).toBe(true);
        expect(gate.admit('i', [startedEvent('e1', '1.0')], [queued(start('i', 'e1', '1.0'), 2)], settlement).run).toBe(
            true,
        );
        expect(gate.rejected).toEqual([]);
    });

    it('fails a mismatched instance with the Fail strategy instead of running its orchestrator', () => {
        const { gate, settlement, recorded } = gateWith({
            defaultVersion: '1.0',
            matchStrategy: 'Strict',
            failureStrategy: 'Fail',
        });
        const admission = gate.admit('i', [], [queued(start('i', 'e1', '0.9'), 1)], settlement);
        expect(admission).toMatchObject({
            run: true,
            request: {
                failBeforeRun: {
                    result: 'VersionMismatch: Orchestration version did not comply with Worker Versioning',
                },
            },
        });
        expect(VERSION_MISMATCH_OUTPUT).toBe(
            'VersionMismatch: Orchestration version did not comply with Worker Versioning',
        );
        expect(recorded.abandoned).toEqual([]);
    });

    it('always runs entities, whose executions carry no version', () => {
        const { gate, settlement } = gateWith(host('1.0', 'Strict'));
        expect(gate.admit('@counter@k', [], [queued(start('@counter@k', 'e1', ''), 1)], settlement).run).toBe(true);
    });
});
