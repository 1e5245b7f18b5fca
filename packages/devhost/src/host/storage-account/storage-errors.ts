/** Reading the outcome of a failed SDK call without depending on one SDK's error class. */

/** The HTTP status of an SDK error (RestError from any of the three SDKs), if it has one. */
export function httpStatusOf(err: unknown): number | undefined {
    if (typeof err !== 'object' || err === null) return undefined;
    const status: unknown = Reflect.get(err, 'statusCode');
    return typeof status === 'number' ? status : undefined;
}

/** 409 Conflict (Add of an existing entity) or 412 Precondition Failed (ETag mismatch). */
export function isConcurrencyConflict(err: unknown): boolean {
    const status = httpStatusOf(err);
    return status === 409 || status === 412;
}

/** 404: the blob, entity or queue does not exist. */
export function isNotFound(err: unknown): boolean {
    return httpStatusOf(err) === 404;
}
