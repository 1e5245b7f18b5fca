import { expect } from 'vitest';
import { pollUntilDone, type StatusPayload } from './devhost-process';

/** The management payload http_start answers with (202). */
export interface CheckStatus {
    id: string;
    statusQueryGetUri: string;
    terminatePostUri: string;
}

export interface OrderView {
    order_id: string;
    instance_id: string;
    runtime_status: string | null;
    outcome: Record<string, unknown> | null;
    ledger: { kind: 'charge' | 'refund'; id: string; amount_cents: number; at: string }[];
    shipment: { tracking_number: string; at: string } | null;
    notifications: { to: string; outcome: 'sent' | 'failed'; message_id: string | null; error: string | null }[];
}

/** Over real HTTP against one devhost origin: start orchestrations, wait for them, read orders. */
export function ordersApi(origin: () => string) {
    const post = (name: string, body: string): Promise<Response> =>
        fetch(`${origin()}/api/orchestrations/${name}`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body,
        });
    return {
        post,
        /** POST and expect 202; the management payload. */
        async start(name: string, input: unknown): Promise<CheckStatus> {
            const response = await post(name, JSON.stringify(input));
            const text = await response.text();
            expect(response.status, text).toBe(202);
            return JSON.parse(text) as CheckStatus;
        },
        async run(
            name: string,
            input: unknown,
            timeoutMs = 30_000,
        ): Promise<StatusPayload & { customStatus: unknown }> {
            const started = await this.start(name, input);
            return (await pollUntilDone(started.statusQueryGetUri, timeoutMs)) as StatusPayload & {
                customStatus: unknown;
            };
        },
        async order(orderId: string): Promise<OrderView> {
            const response = await fetch(`${origin()}/api/orders/${encodeURIComponent(orderId)}`);
            const text = await response.text();
            expect(response.status, text).toBe(200);
            return JSON.parse(text) as OrderView;
        },
        async compactStatus(instanceId: string): Promise<{ runtime_status: string; custom_status: unknown }> {
            const response = await fetch(`${origin()}/api/orchestrations/${instanceId}/status`);
            expect(response.status).toBe(200);
            return (await response.json()) as { runtime_status: string; custom_status: unknown };
        },
    };
}

export function charges(view: OrderView): OrderView['ledger'] {
    return view.ledger.filter((entry) => entry.kind === 'charge');
}
