/** RpcTypedData returned by the worker, back to the value the function returned. */
import type { TypedData } from '../../contracts/host';

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
