import { type HttpRequest, HttpResponse } from '@azure/functions';
import { type DurableOrchestrationStatus, OrchestrationRuntimeStatus, type StartNewOptions } from 'durable-functions';
import type { StatusClient } from '../../../src/http/get-status';
import type { StarterClient } from '../../../src/http/start-orchestration';

/**
 * A DurableClient stand-in with the three methods the HTTP handlers use. `startNew` records its calls, keeps
 * the new instance as Pending (so `getStatus` finds it, as on a real backend) and answers with the given id
 * or sequential ones; a start over an instance that is not finished fails as the extension's 409 does; `createCheckStatusResponse` builds the payload the way the SDK does (the
 * management URLs on the request's origin, Location and Retry-After headers); `getStatus` serves the
 * statuses a test put in `instances` and otherwise throws the SDK's 404 error verbatim.
 */
const FINISHED = new Set<OrchestrationRuntimeStatus>([
    OrchestrationRuntimeStatus.Completed,
    OrchestrationRuntimeStatus.Failed,
    OrchestrationRuntimeStatus.Terminated,
]);

export class FakeDurableClient implements StarterClient, StatusClient {
    readonly started: { name: string; options: StartNewOptions | undefined }[] = [];
    readonly instances = new Map<string, DurableOrchestrationStatus>();
    startError: Error | undefined;
    statusError: Error | undefined;

    async startNew(name: string, options?: StartNewOptions): Promise<string> {
        if (this.startError !== undefined) {
            throw this.startError;
        }
        const existing = options?.instanceId === undefined ? undefined : this.instances.get(options.instanceId);
        if (existing !== undefined && !FINISHED.has(existing.runtimeStatus)) {
            throw new Error('DurableClient error: Durable Functions extension replied with HTTP 409 response.');
        }
        this.started.push({ name, options });
        const instanceId = options?.instanceId ?? `instance-${this.started.length}`;
        this.instances.set(instanceId, {
            name,
            instanceId,
            runtimeStatus: OrchestrationRuntimeStatus.Pending,
            input: options?.input,
            output: null,
            customStatus: undefined,
            createdTime: new Date(0),
            lastUpdatedTime: new Date(0),
        });
        return instanceId;
    }

    createCheckStatusResponse(request: HttpRequest | undefined, instanceId: string): HttpResponse {
        const origin = request === undefined ? 'http://localhost:7071' : new URL(request.url).origin;
        const base = `${origin}/runtime/webhooks/durabletask/instances/${instanceId}`;
        const query = '?taskHub=TestHub&connection=Storage';
        const payload = {
            id: instanceId,
            statusQueryGetUri: `${base}${query}`,
            sendEventPostUri: `${base}/raiseEvent/{eventName}${query}`,
            terminatePostUri: `${base}/terminate?reason={text}&taskHub=TestHub&connection=Storage`,
            purgeHistoryDeleteUri: `${base}${query}`,
        };
        return new HttpResponse({
            status: 202,
            jsonBody: payload,
            headers: { 'Content-Type': 'application/json', Location: payload.statusQueryGetUri, 'Retry-After': '10' },
        });
    }

    async getStatus(instanceId: string): Promise<DurableOrchestrationStatus> {
        if (this.statusError !== undefined) {
            throw this.statusError;
        }
        const status = this.instances.get(instanceId);
        if (status === undefined) {
            // The message durable-functions 3.x throws when the extension answers 404.
            throw new Error(
                'DurableClient error: Durable Functions extension replied with HTTP 404 response. ' +
                    `This usually means we could not find any data associated with the instanceId provided: ${instanceId}.`,
            );
        }
        return status;
    }
}
