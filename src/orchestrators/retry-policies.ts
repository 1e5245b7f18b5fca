import { RetryOptions } from 'durable-functions';

/**
 * Retries for the steps that talk to other services: a transient failure (a thrown TransientServiceError) is
 * tried again after 1 s, 2 s, 4 s (4 attempts, ~7 s in all), fast enough for tests and a shopper waiting, long
 * enough to ride out a blip. Declines and validation failures are results, so they are never retried. The
 * Durable extension schedules each retry as a durable timer (Azure/durabletask RetryInterceptor).
 */
export function serviceRetry(): RetryOptions {
    const options = new RetryOptions(1_000, 4);
    options.backoffCoefficient = 2;
    options.maxRetryIntervalInMilliseconds = 10_000;
    return options;
}

/** Notifications: fewer attempts, as a failed email does not change the order's outcome. */
export function notificationRetry(): RetryOptions {
    const options = new RetryOptions(1_000, 3);
    options.backoffCoefficient = 2;
    options.maxRetryIntervalInMilliseconds = 10_000;
    return options;
}
