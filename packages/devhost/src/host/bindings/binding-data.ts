/**
 * The binding data of one invocation: the values `{name}` expressions in other bindings can use. As the
 * Functions host builds it: the trigger's metadata (route values and query for HTTP, message or blob
 * properties for storage triggers), plus the top-level properties of a JSON trigger value (an activity's input
 * object, a queue message, an HTTP body), so `path: 'backups/{backupPath}'` reads the activity input's field.
 */
import type { InvokeRequest, RegisteredFunction, TypedData } from '../../shared/host-contracts';
import { valueFromTypedData } from './typed-data';

function jsonProperties(value: unknown): Record<string, unknown> {
    if (typeof value === 'string') {
        try {
            return jsonProperties(JSON.parse(value) as unknown);
        } catch {
            return {};
        }
    }
    return typeof value === 'object' && value !== null && !Array.isArray(value)
        ? { ...(value as Record<string, unknown>) }
        : {};
}

interface RpcHttpShape {
    url?: unknown;
    params?: unknown;
    body?: TypedData | null;
}

function httpBindingData(http: RpcHttpShape): Record<string, unknown> {
    const data: Record<string, unknown> = {};
    const body = http.body;
    if (body) {
        const bytes = body.bytes ?? body.stream;
        Object.assign(data, jsonProperties(bytes ? Buffer.from(bytes).toString('utf8') : valueFromTypedData(body)));
    }
    if (typeof http.url === 'string') {
        for (const [name, value] of new URL(http.url, 'http://localhost').searchParams) data[name] = value;
    }
    if (typeof http.params === 'object' && http.params !== null) Object.assign(data, http.params);
    return data;
}

export function bindingDataFor(fn: RegisteredFunction, request: InvokeRequest): Record<string, unknown> {
    const data: Record<string, unknown> = {};
    const trigger = request.inputData.find((binding) => binding.name === fn.trigger.name);
    if (trigger?.data.http !== undefined && trigger.data.http !== null) {
        Object.assign(data, httpBindingData(trigger.data.http as RpcHttpShape));
    } else if (trigger) {
        Object.assign(data, jsonProperties(valueFromTypedData(trigger.data)));
    }
    for (const [name, value] of Object.entries(request.triggerMetadata ?? {})) {
        data[name] = valueFromTypedData(value);
    }
    return data;
}
