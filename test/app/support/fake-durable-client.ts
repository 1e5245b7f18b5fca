import { type HttpRequest, HttpResponse } from '@azure/functions';
import type { DurableOrchestrationStatus, StartNewOptions } from 'durable-functions';
import type { StatusClient } from '../../../src/http/get-status';
import type { StarterClient } from '../../../src/http/start-orchestration';

/**
 * A DurableClient stand-in with the three methods the HTTP handlers use. `startNew` records its calls and
 * answers with sequential ids; `createCheckStatusResponse` builds the payload the way the SDK does (the
 * management URLs on the request's origin, Location and Retry-After headers); `getStatus` serves the
 * statuses a test put in `instances` and otherwise throws the SDK's 404 error verbatim.
 */
export class FakeDurableClient implements StarterClient, StatusClient {
    readonly started: { name: string; options: StartNewOptions | undefined }[] = [];
    readonly instances = new Map<string, DurableOrchestrationStatus>();
    startError: Error | undefined;
    statusError: Error | undefined;

    async startNew(name: string, options?: StartNewOptions): Promise<string> {
        if (this.startError !== undefined) {
            throw this.startError;
        }
        this.started.push({ name, options });
        return `instance-${this.started.length}`;
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
