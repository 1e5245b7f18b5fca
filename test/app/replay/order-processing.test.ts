/**
 * order_processing, as built into dist/, replayed on the devhost's Durable engine with the real SDK: the
 * main paths answer every TaskScheduled with the app's real activity handlers (test-mode services, the real
 * Table ledger on the run's Azurite); the rare branches get hand-made TaskCompleted / TaskFailed results.
 * Retries are the extension's: a failed attempt becomes a durable timer, then the activity again. These
 * instances are started without a version, as every order before versioning was: version 1's steps.
 * Version 2: order-processing-v2.test.ts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { EventType, type HistoryEvent, type TaskCompletedEvent } from 'devhost/history';
import { shape } from 'devhost/testing';
import { UNIT_PRICE_CENTS } from '../../../src/orders/money';
import { loadBuiltApp } from '../../support/replay/built-app';
import { ReplayRun, scheduledEvents } from '../../support/replay/replay-run';
import { azuriteConnectionString, uniqueHubName } from '../../support/storage';

const app = loadBuiltApp();
const ORCHESTRATOR = 'order_processing';

beforeAll(() => {
    // The real activities write the ledger: into tables of this file's own.
    process.env.AzureWebJobsStorage = azuriteConnectionString();
    process.env.ORDERS_TABLE_PREFIX = uniqueHubName('Replay');
});

const order = {
    order_id: 'A-1001',
    items: [{ sku: 'MUG' }, { sku: 'TEE', quantity: 2 }, 'STICKERS'],
    email: 'ada@example.com',
};
/** The lines after the orchestrator's input schema. */
const parsedItems = [
    { sku: 'MUG', quantity: 1 },
    { sku: 'TEE', quantity: 2 },
    { sku: 'STICKERS', quantity: 1 },
];
const total = { cents: 4 * UNIT_PRICE_CENTS, decimal: (4 * UNIT_PRICE_CENTS) / 100 };
const validVerdict = { valid: true, amount: total };
const charged = { status: 'charged', charge_id: 'ch_1', amount: total };

/** One episode: OrchestratorStarted, what arrived, what was decided, OrchestratorCompleted. */
const episode = (...middle: string[]) => ['OrchestratorStarted*', ...middle, 'OrchestratorCompleted*'];

let runs = 0;
/** A run on an instance id of its own, so the ledger partitions of the tests do not meet. */
function newRun(): ReplayRun {
    runs += 1;
    return new ReplayRun(app, `order-replay-${runs}`);
}

function completionOf(history: readonly HistoryEvent[], scheduledId: number): unknown {
    const found = history.find(
        (event): event is TaskCompletedEvent =>
            event.EventType === EventType.TaskCompleted && event.TaskScheduledId === scheduledId,
    );
    if (!found) throw new Error(`no TaskCompleted for ${scheduledId}`);
    return JSON.parse(found.Result ?? 'null');
}

/** Starts an instance and answers the first activities with hand-made results, one episode each. */
async function runUpTo(input: unknown, results: readonly unknown[]): Promise<ReplayRun> {
    const run = newRun();
    await run.start(ORCHESTRATOR, input);
    for (const result of results) {
        const [pending] = run.pending();
        if (!pending) throw new Error('nothing pending');
        run.complete(pending.id, result);
        await run.episode();
    }
    return run;
}

/** Fails the one pending activity, lets its retry timer fire, and runs the episodes that follow. */
async function failAndRetry(run: ReplayRun, message: string): Promise<void> {
    const [pending] = run.pending();
    if (!pending) throw new Error('nothing pending');
    run.fail(pending.id, message);
    await run.episode();
    run.hub.advance(60_000);
    await run.episode();
}

describe('order_processing version 1 (an instance started without a version) replayed on the engine (built app)', () => {
    it('validates, charges, fulfills and notifies with the real activities and the real ledger', async () => {
        const run = newRun();
        const first = await run.start(ORCHESTRATOR, order);
        expect(first.instance.runtimeStatus).toBe('Running');
        expect(JSON.parse(first.instance.customStatus ?? 'null')).toEqual({ step: 'validating', order_id: 'A-1001' });

        const status = await run.driveWithRealActivities();
        expect(status.runtimeStatus).toBe('Completed');
        const key = (step: string) => ({
            order_id: 'A-1001',
            instance_id: run.instanceId,
            idempotency_key: `${run.instanceId}:${step}`,
        });
        expect(run.scheduled).toEqual([
            {
                id: 0,
                name: 'validate_order',
                input: {
                    order_id: 'A-1001',
                    items: parsedItems,
                    email: 'ada@example.com',
                    payment_method: 'pm_card_visa',
                },
            },
            {
                id: 1,
                name: 'charge_customer',
                input: { ...key('charge'), amount: total, payment_method: 'pm_card_visa' },
            },
            { id: 2, name: 'fulfill_order', input: { ...key('fulfil'), items: parsedItems } },
            {
                id: 3,
                name: 'send_notification',
                input: { ...key('notify'), email: 'ada@example.com', status: 'completed' },
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
        const charge = completionOf(history, 1) as { charge_id: string };
        const shipment = completionOf(history, 2) as { tracking_number: string };
        expect(completionOf(history, 3)).toEqual({ status: 'sent', message_id: expect.stringMatching(/^msg_/) });
        expect(run.output()).toEqual({
            status: 'completed',
            order_id: 'A-1001',
            charge_id: charge.charge_id,
            tracking_number: shipment.tracking_number,
            amount: total,
            notification: 'sent',
        });
        expect(JSON.parse(status.customStatus ?? 'null')).toEqual({
            step: 'done',
            order_id: 'A-1001',
            outcome: 'completed',
        });
        expect(run.pending()).toEqual([]);
    });

    it('reports notification "skipped" when the order has no email', async () => {
        const run = newRun();
        await run.start(ORCHESTRATOR, { order_id: 'B-7', items: ['MUG'] });
        await run.driveWithRealActivities();
        expect(run.scheduled[3]?.input).toMatchObject({ email: null, status: 'completed' });
        expect(run.output()).toMatchObject({
            status: 'completed',
            amount: { cents: UNIT_PRICE_CENTS },
            notification: 'skipped',
        });
    });

    it.each([
        { why: 'an empty item list', items: [], reason: 'No items in order' },
        {
            why: 'a line without sku or name',
            items: ['MUG', { quantity: 3 }],
            reason: 'Item 2 has neither a sku nor a name',
        },
    ])('ends rejected and schedules nothing else when validate_order rejects $why', async ({ items, reason }) => {
        const run = newRun();
        await run.start(ORCHESTRATOR, { order_id: 'R-1', items });
        const status = await run.driveWithRealActivities();
        expect(status.runtimeStatus).toBe('Completed');
        expect(run.output()).toEqual({ status: 'rejected', order_id: 'R-1', reason });
        expect(run.scheduled.map((activity) => activity.name)).toEqual(['validate_order']);
    });

    it('ends payment_declined with the real gateway for pm_card_declined: no retry, nothing after', async () => {
        const run = newRun();
        await run.start(ORCHESTRATOR, { ...order, payment_method: 'pm_card_declined' });
        await run.driveWithRealActivities();
        expect(run.output()).toEqual({
            status: 'payment_declined',
            order_id: 'A-1001',
            reason: 'Your card was declined.',
        });
        expect(run.scheduled.map((activity) => activity.name)).toEqual(['validate_order', 'charge_customer']);
        expect(shape(run.history()).filter((event) => event.startsWith('Timer'))).toEqual([]);
    });

    it('retries a transient charge failure after a durable timer of 1 s and then goes on (pm_card_flaky)', async () => {
        const run = newRun();
        await run.start(ORCHESTRATOR, { ...order, payment_method: 'pm_card_flaky' });
        await run.runReal(0);
        await run.episode();
        // The real gateway fails the first attempt of the order.
        await run.runReal(1);
        await run.episode();
        const timers = run.history().filter((event) => event.EventType === EventType.TimerCreated);
        expect(timers).toHaveLength(1);
        const fireAt = new Date((timers[0] as { FireAt: string }).FireAt).getTime();
        expect(fireAt - run.hub.now.getTime()).toBe(1_000);

        run.hub.advance(1_000);
        await run.episode();
        expect(run.pending().map((activity) => activity.name)).toEqual(['charge_customer']);
        const status = await run.driveWithRealActivities();
        expect(status.runtimeStatus).toBe('Completed');
        expect(run.output()).toMatchObject({ status: 'completed', notification: 'sent' });
        expect(
            scheduledEvents(run.history())
                .map((event) => event.Name)
                .filter((name) => name === 'charge_customer'),
        ).toHaveLength(2);
    });

    it('charges, then refunds through the real activities when the warehouse cannot supply an item (TEST-OUT-OF-STOCK)', async () => {
        const run = newRun();
        await run.start(ORCHESTRATOR, { ...order, items: ['MUG', 'TEST-OUT-OF-STOCK'] });
        await run.driveWithRealActivities();
        expect(run.scheduled.map((activity) => activity.name)).toEqual([
            'validate_order',
            'charge_customer',
            'fulfill_order',
            'refund_payment',
        ]);
        const charge = completionOf(run.history(), 1) as { charge_id: string };
        expect(run.scheduled[3]?.input).toMatchObject({
            charge_id: charge.charge_id,
            amount: { cents: 2 * UNIT_PRICE_CENTS },
        });
        expect(run.output()).toEqual({
            status: 'failed',
            order_id: 'A-1001',
            reason: 'TEST-OUT-OF-STOCK is out of stock',
            refunded: true,
            refund_id: expect.stringMatching(/^re_/),
        });
    });

    it('refunds when every fulfillment attempt fails, after 4 attempts and 3 timers', async () => {
        const run = await runUpTo(order, [validVerdict, charged]);
        for (let attempt = 1; attempt <= 3; attempt++) await failAndRetry(run, `warehouse offline ${attempt}`);
        const [last] = run.pending();
        if (!last) throw new Error('no fourth attempt');
        run.fail(last.id, 'warehouse offline 4');
        await run.episode();
        // The extension's "dummy" timer after the last failed attempt, then the failure reaches the orchestrator.
        run.hub.advance(60_000);
        await run.episode();
        expect(run.pending().map((activity) => activity.name)).toEqual(['refund_payment']);
        const [refund] = run.pending();
        if (!refund) throw new Error('no refund');
        run.complete(refund.id, { refund_id: 're_1' });
        await run.episode();
        expect(run.output()).toEqual({
            status: 'failed',
            order_id: 'A-1001',
            reason: expect.stringContaining('warehouse offline 4'),
            refunded: true,
            refund_id: 're_1',
        });
        expect(scheduledEvents(run.history()).filter((event) => event.Name === 'fulfill_order')).toHaveLength(4);
    });

    it('completes with notification "failed" when every notification attempt fails (3 attempts)', async () => {
        const run = await runUpTo(order, [validVerdict, charged, { status: 'shipped', tracking_number: 'TRK1' }]);
        for (let attempt = 1; attempt <= 2; attempt++) await failAndRetry(run, 'bounced');
        const [last] = run.pending();
        if (!last) throw new Error('no third attempt');
        run.fail(last.id, 'bounced');
        await run.episode();
        run.hub.advance(60_000);
        await run.episode();
        expect(run.status().runtimeStatus).toBe('Completed');
        expect(run.output()).toMatchObject({ status: 'completed', charge_id: 'ch_1', notification: 'failed' });
        expect(scheduledEvents(run.history()).filter((event) => event.Name === 'send_notification')).toHaveLength(3);
    });

    it('fails the instance when the charge keeps failing, never fulfilling', async () => {
        const run = await runUpTo(order, [validVerdict]);
        for (let attempt = 1; attempt <= 3; attempt++) await failAndRetry(run, 'gateway down');
        const [last] = run.pending();
        if (!last) throw new Error('no fourth attempt');
        run.fail(last.id, 'gateway down');
        await run.episode();
        run.hub.advance(60_000);
        const end = await run.episode();
        expect(end.instance.runtimeStatus).toBe('Failed');
        expect(end.instance.output).toContain("Activity function 'charge_customer' failed:  gateway down");
        expect(scheduledEvents(run.history()).map((event) => event.Name)).not.toContain('fulfill_order');
    });

    const malformed = [
        { name: 'validate_order', before: [], result: { valid: 'yes' }, field: 'valid' },
        {
            name: 'charge_customer',
            before: [validVerdict],
            result: { status: 'charged', amount: total },
            field: 'charge_id',
        },
        { name: 'fulfill_order', before: [validVerdict, charged], result: null, field: '(root)' },
        {
            name: 'send_notification',
            before: [validVerdict, charged, { status: 'shipped', tracking_number: 'TRK1' }],
            result: { status: 'mailed' },
            field: 'status',
        },
    ];
    it.each(malformed)(
        'fails the instance when $name returns a malformed result ($field)',
        async ({ name, before, result, field }) => {
            const run = await runUpTo(order, before);
            const [pending] = run.pending();
            expect(pending?.name).toBe(name);
            run.complete(pending?.id ?? -1, result);
            const last = await run.episode();
            expect(last.instance.runtimeStatus).toBe('Failed');
            expect(last.instance.output).toMatch(
                new RegExp(
                    `^Orchestrator function 'order_processing' failed: order_processing: invalid ${name} result: `,
                ),
            );
            expect(last.instance.output).toContain(`${field}: `);
            expect(last.outbound).toEqual([]);
        },
    );

    it.each([
        { why: 'no input', input: null, field: '(root)' },
        { why: 'a missing order_id', input: { items: [] }, field: 'order_id' },
        { why: 'items that are not an array', input: { order_id: 'X', items: 3 }, field: 'items' },
        { why: 'a bad quantity', input: { order_id: 'X', items: [{ sku: 'MUG', quantity: 0 }] }, field: 'items[0]' },
        { why: 'a bad email', input: { order_id: 'X', items: ['MUG'], email: 'not-an-email' }, field: 'email' },
    ])('fails in its first episode, scheduling nothing, on bad input: $why', async ({ input, field }) => {
        const run = newRun();
        const first = await run.start(ORCHESTRATOR, input);
        expect(first.instance.runtimeStatus).toBe('Failed');
        expect(first.instance.output).toMatch(
            /^Orchestrator function 'order_processing' failed: order_processing: invalid input: /,
        );
        expect(first.instance.output).toContain(`${field}`);
        expect(first.outbound).toEqual([]);
        expect(shape(run.history())).toEqual(episode('ExecutionStarted', 'ExecutionCompleted#0*'));
    });

    it('discards a redelivered validate_order result: charge_customer is scheduled once', async () => {
        const run = newRun();
        await run.start(ORCHESTRATOR, order);
        await run.runReal(0);
        const [completion] = run.hub.pendingControl(run.instanceId);
        if (!completion) throw new Error('expected the validate_order completion on the control queue');
        await run.episode();

        run.hub.send(completion);
        const redelivery = await run.episode();
        expect(redelivery.appended).toEqual([]);
        expect(redelivery.discarded).toEqual([completion]);

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
