/**
 * order_processing, as built into dist/, replayed on the devhost's Durable engine with the real SDK: the
 * happy paths answer every TaskScheduled with the app's real activity handlers; the rare branches get
 * hand-made TaskCompleted / TaskFailed results. Each test asserts the status and output, the activities
 * the engine sent (names and inputs, from the work items) and the history the episodes wrote.
 */
import { describe, expect, it } from 'vitest';
import {
    EventType,
    type HistoryEvent,
    type TaskCompletedEvent,
    type TaskFailedEvent,
} from '../../../devhost/protocol/history';
import { shape } from '../../devhost/durable/engine/support/task-hub';
import { UNIT_PRICE_CENTS } from '../../../src/orders/money';
import { loadBuiltApp } from './support/built-app';
import { ReplayRun, scheduledEvents } from './support/replay-run';

const app = loadBuiltApp();
const ORCHESTRATOR = 'order_processing';

const order = {
    order_id: 'A-1001',
    items: [{ sku: 'MUG' }, { sku: 'TEE', quantity: 2 }, { name: 'Sticker pack' }],
    email: 'ada@example.com',
};
/** The lines after the orchestrator's input schema: quantity defaults to 1. */
const parsedItems = [
    { sku: 'MUG', quantity: 1 },
    { sku: 'TEE', quantity: 2 },
    { name: 'Sticker pack', quantity: 1 },
];
const total = { cents: 4 * UNIT_PRICE_CENTS, decimal: (4 * UNIT_PRICE_CENTS) / 100 };
const validVerdict = { valid: true, amount: total };

/** One episode: OrchestratorStarted, what arrived, what was decided, OrchestratorCompleted. */
const episode = (...middle: string[]) => ['OrchestratorStarted*', ...middle, 'OrchestratorCompleted*'];

function completionOf(history: readonly HistoryEvent[], scheduledId: number): TaskCompletedEvent {
    const found = history.find(
        (event): event is TaskCompletedEvent =>
            event.EventType === EventType.TaskCompleted && event.TaskScheduledId === scheduledId,
    );
    if (!found) throw new Error(`no TaskCompleted for ${scheduledId}`);
    return found;
}

function failureOf(history: readonly HistoryEvent[], scheduledId: number): TaskFailedEvent {
    const found = history.find(
        (event): event is TaskFailedEvent =>
            event.EventType === EventType.TaskFailed && event.TaskScheduledId === scheduledId,
    );
    if (!found) throw new Error(`no TaskFailed for ${scheduledId}`);
    return found;
}

/** The instance output the SDK + extension produce for an uncaught activity failure. */
function uncaughtActivityFailure(failed: TaskFailedEvent): string {
    return `Orchestrator function '${ORCHESTRATOR}' failed: ${failed.Reason ?? ''} \n ${failed.Details ?? ''}`;
}

/** Starts an instance and answers the first `steps` activities with hand-made results, one episode each. */
async function runUpTo(input: unknown, results: readonly unknown[]): Promise<ReplayRun> {
    const run = new ReplayRun(app);
    await run.start(ORCHESTRATOR, input);
    for (const [id, result] of results.entries()) {
        run.complete(id, result);
        await run.episode();
    }
    return run;
}

describe('order_processing replayed on the engine (built app)', () => {
    it('validates, charges, fulfils and notifies with the real activities, one activity per episode', async () => {
        const run = new ReplayRun(app);
        const first = await run.start(ORCHESTRATOR, order);
        expect(first.instance.runtimeStatus).toBe('Running');

        const status = await run.driveWithRealActivities();
        expect(status.runtimeStatus).toBe('Completed');

        expect(run.scheduled).toEqual([
            {
                id: 0,
                name: 'validate_order',
                input: { order_id: 'A-1001', items: parsedItems, email: 'ada@example.com' },
            },
            { id: 1, name: 'charge_customer', input: { order_id: 'A-1001', amount: total } },
            { id: 2, name: 'fulfill_order', input: { order_id: 'A-1001', items: parsedItems } },
            {
                id: 3,
                name: 'send_notification',
                input: { order_id: 'A-1001', email: 'ada@example.com', status: 'completed' },
            },
        ]);

        const history = run.history();
        expect(shape(history)).toEqual([
            ...episode('ExecutionStarted', 'TaskScheduled#0*'),
            ...episode('TaskCompleted(0)', 'TaskScheduled#1*'),
            ...episode('TaskCompleted(1)', 'TaskScheduled#2*'),
            ...episode('TaskCompleted(2)', 'TaskScheduled#3*'),
            ...episode('TaskCompleted(3)', 'ExecutionCompleted#4*'),
        ]);
        // One TaskScheduled per activity, named as the work items were, and no input kept in history.
        expect(scheduledEvents(history).map((event) => [event.EventId, event.Name, event.Input])).toEqual([
            [0, 'validate_order', null],
            [1, 'charge_customer', null],
            [2, 'fulfill_order', null],
            [3, 'send_notification', null],
        ]);

        // The output carries what the real activities returned, as recorded in history.
        const charge = JSON.parse(completionOf(history, 1).Result ?? 'null') as { charge_id: string };
        const shipment = JSON.parse(completionOf(history, 2).Result ?? 'null') as { tracking_number: string };
        const notification = JSON.parse(completionOf(history, 3).Result ?? 'null') as {
            sent: boolean;
            message_id: string;
        };
        expect(charge.charge_id).toMatch(/^ch_[0-9a-f]+$/);
        expect(shipment.tracking_number).toMatch(/^TRK[0-9A-F]+$/);
        expect(notification.sent).toBe(true);
        expect(run.output()).toEqual({
            status: 'completed',
            order_id: 'A-1001',
            charge_id: charge.charge_id,
            tracking_number: shipment.tracking_number,
            amount: total,
        });
        expect(status.output).toBe(JSON.stringify(run.output()));
        expect(run.pending()).toEqual([]);
    });

    it('still calls send_notification, with a null email, when the order has none', async () => {
        const run = new ReplayRun(app);
        await run.start(ORCHESTRATOR, { order_id: 'B-7', items: [{ sku: 'MUG' }] });
        const status = await run.driveWithRealActivities();

        expect(status.runtimeStatus).toBe('Completed');
        expect(run.scheduled.map((activity) => activity.name)).toEqual([
            'validate_order',
            'charge_customer',
            'fulfill_order',
            'send_notification',
        ]);
        expect(run.scheduled[3]?.input).toEqual({ order_id: 'B-7', email: null, status: 'completed' });
        expect(JSON.parse(completionOf(run.history(), 3).Result ?? 'null')).toEqual({ sent: false, message_id: null });
        expect(run.output()).toMatchObject({
            status: 'completed',
            order_id: 'B-7',
            amount: { cents: UNIT_PRICE_CENTS },
        });
    });

    it.each([
        { why: 'an empty item list', items: [], reason: 'No items in order' },
        {
            why: 'a line without sku or name',
            items: [{ sku: 'MUG' }, { quantity: 3 }],
            reason: 'Item 2 has neither a sku nor a name',
        },
    ])(
        'ends with the rejection reason and schedules nothing else when validate_order rejects $why',
        async ({ items, reason }) => {
            const run = new ReplayRun(app);
            await run.start(ORCHESTRATOR, { order_id: 'R-1', items, email: 'ada@example.com' });
            const status = await run.driveWithRealActivities();

            expect(status.runtimeStatus).toBe('Completed');
            expect(run.output()).toEqual({ status: 'rejected', order_id: 'R-1', reason });
            expect(run.scheduled.map((activity) => activity.name)).toEqual(['validate_order']);
            expect(JSON.parse(completionOf(run.history(), 0).Result ?? 'null')).toEqual({ valid: false, reason });
            expect(shape(run.history())).toEqual([
                ...episode('ExecutionStarted', 'TaskScheduled#0*'),
                ...episode('TaskCompleted(0)', 'ExecutionCompleted#1*'),
            ]);
        },
    );

    it('takes the rejection reason from the validate_order result, whatever it says', async () => {
        const run = await runUpTo(order, [{ valid: false, reason: 'Blocked customer' }]);
        expect(run.status().runtimeStatus).toBe('Completed');
        expect(run.output()).toEqual({ status: 'rejected', order_id: 'A-1001', reason: 'Blocked customer' });
        expect(run.scheduled).toHaveLength(1);
    });

    it('fails with the activity error and never fulfils when charge_customer fails', async () => {
        const run = await runUpTo(order, [validVerdict]);
        expect(run.pending()).toEqual([
            { id: 1, name: 'charge_customer', input: { order_id: 'A-1001', amount: total } },
        ]);

        run.fail(1, 'card declined');
        const last = await run.episode();

        const history = run.history();
        const failed = failureOf(history, 1);
        expect(failed.Reason).toBe("Activity function 'charge_customer' failed:  card declined");
        expect(last.instance.runtimeStatus).toBe('Failed');
        expect(last.instance.output).toBe(uncaughtActivityFailure(failed));
        expect(last.instance.output).toMatch(
            /^Orchestrator function 'order_processing' failed: Activity function 'charge_customer' failed: {2}card declined \n /,
        );
        expect(run.scheduled.map((activity) => activity.name)).toEqual(['validate_order', 'charge_customer']);
        expect(last.outbound).toEqual([]);
        expect(scheduledEvents(history).map((event) => event.Name)).not.toContain('fulfill_order');
        expect(shape(history)).toEqual([
            ...episode('ExecutionStarted', 'TaskScheduled#0*'),
            ...episode('TaskCompleted(0)', 'TaskScheduled#1*'),
            ...episode('TaskFailed(1)', 'ExecutionCompleted#2*'),
        ]);
    });

    it('fails through the real charge_customer when the verdict carries a zero amount', async () => {
        // The orchestrator forwards the verdict's amount; the activity's own boundary refuses it.
        const run = await runUpTo(order, [{ valid: true, amount: { cents: 0, decimal: 0 } }]);
        await run.runReal(1);
        const last = await run.episode();

        expect(last.instance.runtimeStatus).toBe('Failed');
        const failed = failureOf(run.history(), 1);
        expect(failed.Reason).toBe(
            "Activity function 'charge_customer' failed:  charge_customer: invalid input: amount: amount must be positive",
        );
        expect(last.instance.output).toBe(uncaughtActivityFailure(failed));
        expect(run.scheduled.map((activity) => activity.name)).toEqual(['validate_order', 'charge_customer']);
    });

    it('fails after a real charge when fulfill_order fails, leaving the charge in history and notifying no one', async () => {
        const run = new ReplayRun(app);
        await run.start(ORCHESTRATOR, order);
        await run.runReal(0);
        await run.episode();
        await run.runReal(1);
        await run.episode();
        expect(run.pending().map((activity) => activity.name)).toEqual(['fulfill_order']);

        run.fail(2, 'warehouse offline');
        const last = await run.episode();

        const history = run.history();
        expect(last.instance.runtimeStatus).toBe('Failed');
        expect(last.instance.output).toBe(uncaughtActivityFailure(failureOf(history, 2)));
        expect(last.instance.output).toContain("Activity function 'fulfill_order' failed:  warehouse offline");
        // No compensation yet: the charge stands.
        expect(JSON.parse(completionOf(history, 1).Result ?? 'null')).toMatchObject({
            charge_id: expect.stringMatching(/^ch_/),
            amount: total,
        });
        expect(run.scheduled.map((activity) => activity.name)).toEqual([
            'validate_order',
            'charge_customer',
            'fulfill_order',
        ]);
        expect(shape(history).slice(-4)).toEqual(episode('TaskFailed(2)', 'ExecutionCompleted#3*'));
    });

    it('fails when send_notification fails, after fulfilment', async () => {
        const run = await runUpTo(order, [
            validVerdict,
            { charge_id: 'ch_1', amount: total },
            { tracking_number: 'TRK1' },
        ]);
        expect(run.pending()).toEqual([
            {
                id: 3,
                name: 'send_notification',
                input: { order_id: 'A-1001', email: 'ada@example.com', status: 'completed' },
            },
        ]);

        run.fail(3, 'smtp refused');
        const last = await run.episode();

        expect(last.instance.runtimeStatus).toBe('Failed');
        expect(last.instance.output).toBe(uncaughtActivityFailure(failureOf(run.history(), 3)));
        expect(last.instance.output).toContain("Activity function 'send_notification' failed:  smtp refused");
        expect(shape(run.history()).slice(-4)).toEqual(episode('TaskFailed(3)', 'ExecutionCompleted#4*'));
        expect(scheduledEvents(run.history())).toHaveLength(4);
    });

    it('uses hand-made results end to end: the output is exactly what the activities returned', async () => {
        const run = await runUpTo(order, [
            validVerdict,
            { charge_id: 'ch_fixed', amount: total },
            { tracking_number: 'TRK-FIXED' },
            { sent: true, message_id: 'm-1' },
        ]);
        expect(run.status().runtimeStatus).toBe('Completed');
        expect(run.output()).toEqual({
            status: 'completed',
            order_id: 'A-1001',
            charge_id: 'ch_fixed',
            tracking_number: 'TRK-FIXED',
            amount: total,
        });
    });

    const malformed = [
        { step: 0, name: 'validate_order', before: [], result: { valid: 'yes' }, field: 'valid' },
        {
            step: 0,
            name: 'validate_order',
            before: [],
            result: { valid: true, amount: { cents: 100, decimal: 2 } },
            field: 'amount.decimal',
        },
        { step: 1, name: 'charge_customer', before: [validVerdict], result: { amount: total }, field: 'charge_id' },
        {
            step: 2,
            name: 'fulfill_order',
            before: [validVerdict, { charge_id: 'ch_1', amount: total }],
            result: null,
            field: '(root)',
        },
        {
            step: 3,
            name: 'send_notification',
            before: [validVerdict, { charge_id: 'ch_1', amount: total }, { tracking_number: 'TRK1' }],
            result: { sent: 'yes', message_id: null },
            field: 'sent',
        },
    ];
    it.each(malformed)(
        'fails the instance when $name returns a malformed result ($field)',
        async ({ step, name, before, result, field }) => {
            const run = await runUpTo(order, before);
            expect(run.pending().map((activity) => activity.name)).toEqual([name]);

            run.complete(step, result);
            const last = await run.episode();

            expect(last.instance.runtimeStatus).toBe('Failed');
            expect(last.instance.output).toMatch(
                new RegExp(
                    `^Orchestrator function 'order_processing' failed: order_processing: invalid ${name} result: `,
                ),
            );
            expect(last.instance.output).toContain(`${field}: `);
            expect(last.outbound).toEqual([]);
            expect(run.scheduled).toHaveLength(step + 1);
            expect(shape(run.history()).slice(-4)).toEqual(
                episode(`TaskCompleted(${step})`, `ExecutionCompleted#${step + 1}*`),
            );
        },
    );

    it.each([
        { why: 'no input', input: null, field: '(root)' },
        { why: 'a missing order_id', input: { items: [] }, field: 'order_id' },
        { why: 'items that are not an array', input: { order_id: 'X', items: 3 }, field: 'items' },
        {
            why: 'a bad quantity',
            input: { order_id: 'X', items: [{ sku: 'MUG', quantity: 0 }] },
            field: 'items[0].quantity',
        },
        {
            why: 'a bad email',
            input: { order_id: 'X', items: [{ sku: 'MUG' }], email: 'not-an-email' },
            field: 'email',
        },
    ])('fails in its first episode, scheduling nothing, on bad input: $why', async ({ input, field }) => {
        const run = new ReplayRun(app);
        const first = await run.start(ORCHESTRATOR, input);

        expect(first.instance.runtimeStatus).toBe('Failed');
        expect(first.instance.output).toMatch(
            /^Orchestrator function 'order_processing' failed: order_processing: invalid input: /,
        );
        expect(first.instance.output).toContain(`${field}: `);
        expect(first.outbound).toEqual([]);
        expect(run.scheduled).toEqual([]);
        expect(shape(run.history())).toEqual(episode('ExecutionStarted', 'ExecutionCompleted#0*'));
    });

    it('reports every problem of a bad input in one message', async () => {
        const run = new ReplayRun(app);
        const first = await run.start(ORCHESTRATOR, { items: 3 });
        expect(first.instance.output).toBe(
            "Orchestrator function 'order_processing' failed: order_processing: invalid input: " +
                'order_id: order_id is required and must be a string; items: items is required and must be an array of objects',
        );
    });

    it('discards a redelivered validate_order result: charge_customer is scheduled once', async () => {
        const run = new ReplayRun(app);
        await run.start(ORCHESTRATOR, order);
        await run.runReal(0);
        const [completion] = run.hub.pendingControl();
        if (!completion) throw new Error('expected the validate_order completion on the control queue');
        await run.episode();

        run.hub.send(completion);
        const redelivery = await run.episode();

        expect(redelivery.appended).toEqual([]);
        expect(redelivery.discarded).toEqual([completion]);
        expect(run.scheduled.map((activity) => activity.name)).toEqual(['validate_order', 'charge_customer']);
        expect(run.status().runtimeStatus).toBe('Running');

        await run.driveWithRealActivities();
        expect(run.status().runtimeStatus).toBe('Completed');
        expect(scheduledEvents(run.history()).map((event) => event.Name)).toEqual([
            'validate_order',
            'charge_customer',
            'fulfill_order',
            'send_notification',
        ]);
    });
});
