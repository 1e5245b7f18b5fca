/** RpcTypedData, the worker protocol's values, to and from what functions and bindings use. */
import type { TypedData } from '../../shared/host-contracts';

function parseJson(text: string): unknown {
    return JSON.parse(text) as unknown;
}

/** `undefined` when the function returned nothing. */
export function valueFromTypedData(data: TypedData | undefined): unknown {
    if (!data) return undefined;
    if (typeof data.json === 'string') return parseJson(data.json);
    if (typeof data.string === 'string') return data.string;
    if (typeof data.int === 'number') return data.int;
    if (typeof data.double === 'number') return data.double;
    const bytes = data.bytes ?? data.stream;
    if (bytes) return Buffer.from(bytes).toString('base64');
    if (data.collectionString) return data.collectionString.string;
    if (data.collectionDouble) return data.collectionDouble.double;
    if (data.collectionSint64) return data.collectionSint64.sint64;
    if (data.collectionBytes) return data.collectionBytes.bytes.map((b) => Buffer.from(b).toString('base64'));
    return undefined;
}

/** A value for the worker, as the library's toRpcTypedData would carry it: bytes, text, numbers or JSON. */
export function typedDataFromValue(value: unknown): TypedData | undefined {
    if (value === undefined || value === null) return undefined;
    if (Buffer.isBuffer(value) || value instanceof Uint8Array) return { bytes: new Uint8Array(value) };
    if (typeof value === 'string') return { string: value };
    if (typeof value === 'number') return Number.isInteger(value) ? { int: value } : { double: value };
    return { json: JSON.stringify(value) };
}

/** The bytes an output binding writes: raw bytes as they are, text as UTF-8, anything else as JSON text. */
export function bytesFromTypedData(data: TypedData): Buffer | undefined {
    const bytes = data.bytes ?? data.stream;
    if (bytes) return Buffer.from(bytes);
    if (typeof data.string === 'string') return Buffer.from(data.string, 'utf8');
    if (typeof data.json === 'string') return Buffer.from(data.json, 'utf8');
    if (typeof data.int === 'number') return Buffer.from(String(data.int), 'utf8');
    if (typeof data.double === 'number') return Buffer.from(String(data.double), 'utf8');
    return undefined;
}
