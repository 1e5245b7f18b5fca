/**
 * The app's orchestrator tests on the devhost's test host (devhost/testing, createTestHost): the built app on the
 * real Durable engine, its task hub in memory, time virtual. Here: the order activities replaced by stubs that
 * answer as the test says and log every call in order (no ledger, no storage), an order run to its end, and
 * what a run's history shows (the activities it scheduled, the virtual time between attempts).
 */
import path from 'node:path';
import type { DurableOrchestrationStatus } from 'durable-functions';
import { z } from 'zod';
import { EventType, type HistoryEvent } from 'devhost/history';
import type { TestHost } from 'devhost/testing';
import type { ActivityName } from '../../../src/contracts/names';

export const repoRoot = path.resolve(__dirname, '../../..');

type OrderActivity = Exclude<ActivityName, 'process_item'>;

/** One call of a stubbed activity, in the order the engine made them. */
export interface Call {
    readonly name: string;
    readonly input: unknown;
    /** 1 for the first call of this activity in the test, 2 for the next (retries included). */
    readonly attempt: number;
}

/** What a stubbed activity answers: a result, or a throw that fails the attempt. */
export type Answer = (input: unknown, attempt: number) => unknown;

export const total = { cents: 8997, decimal: 89.97 };

/** The order's services when nothing goes wrong. */
const healthy: Record<OrderActivity, Answer> = {
    validate_order: () => ({ valid: true, amount: total }),
    reserve_stock: () => ({ status: 'reserved', reservation_id: 'rs_1' }),
    release_stock: (input) => ({ status: 'released', reservation_id: field(input, 'reservation_id') }),
    charge_customer: (input) => ({ status: 'charged', charge_id: 'ch_1', amount: field(input, 'amount') }),
    fulfill_order: () => ({ status: 'shipped', tracking_number: 'TRK1' }),
    refund_payment: () => ({ refund_id: 're_1' }),
    send_notification: () => ({ status: 'sent', message_id: 'm-1' }),
};

/**
 * Replaces every order activity of `host` (healthy unless `answers` says otherwise) and returns the log of their
 * calls. Each call replaces the stubs of the one before, so a test starts with a fresh log.
 */
export function stubOrderServices(host: TestHost, answers: Partial<Record<OrderActivity, Answer>> = {}): Call[] {
    const calls: Call[] = [];
    for (const name of Object.keys(healthy) as OrderActivity[]) {
        const answer = answers[name] ?? healthy[name];
        host.stubActivity(name, (input, call) => {
            calls.push({ name, input, attempt: call.attempt });
            return answer(input, call.attempt);
        });
    }
    return calls;
}

/** An answer that throws `message` for the first `times` attempts (every attempt by default), then `then`. */
export function failing(message: string, times = Number.POSITIVE_INFINITY, then?: Answer): Answer {
    return (input, attempt) => {
        if (attempt <= times || then === undefined) throw new Error(message);
        return then(input, attempt);
    };
}

export interface Run {
    readonly id: string;
    readonly status: DurableOrchestrationStatus;
    readonly history: HistoryEvent[];
}

/** Starts `name` through the SDK's DurableClient (`version` as `startNew` sends it) and waits for its end. */
export async function runToEnd(
    host: TestHost,
    name: string,
    input: unknown,
    options: { instanceId?: string; version?: string } = {},
): Promise<Run> {
    const id = await host.client.startNew(name, {
        input,
        ...(options.instanceId === undefined ? {} : { instanceId: options.instanceId }),
        ...(options.version === undefined ? {} : { version: options.version }),
    });
    const status = await host.waitForCompletion(id);
    return { id, status, history: await host.history(id) };
}

/** The activities the run scheduled, in order (a retry is scheduled again). */
export function scheduled(history: readonly HistoryEvent[]): string[] {
    return history.flatMap((event) => (event.EventType === EventType.TaskScheduled ? [event.Name] : []));
}

/** Virtual milliseconds between one scheduling of `activity` and the next: a retry's back-off. */
export function attemptGaps(history: readonly HistoryEvent[], activity: string): number[] {
    const times = history.flatMap((event) =>
        event.EventType === EventType.TaskScheduled && event.Name === activity ? [Date.parse(event.Timestamp)] : [],
    );
    return times.slice(1).map((time, i) => time - (times[i] ?? time));
}

/** The version the instance was started with, as its ExecutionStarted event keeps it. */
export function startedVersion(history: readonly HistoryEvent[]): string | null | undefined {
    const started = history.find((event) => event.EventType === EventType.ExecutionStarted);
    return started?.EventType === EventType.ExecutionStarted ? started.Version : undefined;
}

/** The calls' names, in order. */
export const names = (calls: readonly Call[]): string[] => calls.map((call) => call.name);

const HostJsonSchema = z.looseObject({
    extensions: z.looseObject({ durableTask: z.looseObject({}) }),
});

/**
 * host.json as the app had it before versioning (no defaultVersion, versionMatchStrategy None): instances started
 * without a version get "", as every order started before versioning has (createTestHost's `hostJson`).
 */
export function beforeVersioning(hostJson: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
    const parsed = HostJsonSchema.parse(hostJson);
    const { defaultVersion: _, ...durableTask } = parsed.extensions.durableTask;
    return {
        ...hostJson,
        extensions: { ...parsed.extensions, durableTask: { ...durableTask, versionMatchStrategy: 'None' } },
    };
}

function field(input: unknown, key: string): unknown {
    return typeof input === 'object' && input !== null ? (input as Record<string, unknown>)[key] : undefined;
}
