/**
 * Client-side failures, typed by how the extension's HTTP API reports them: an ArgumentException (400), an
 * OrchestrationAlreadyExistsException (409), a missing instance (404) or a finished one (410).
 */
export class DurableArgumentError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'DurableArgumentError';
    }
}

export class InstanceAlreadyExistsError extends Error {
    constructor(
        readonly instanceId: string,
        readonly runtimeStatus: string,
    ) {
        // DTFx's OrchestrationAlreadyExistsException text.
        super(`An Orchestration instance with the status ${runtimeStatus} already exists.`);
        this.name = 'InstanceAlreadyExistsError';
    }
}

export class InstanceNotFoundError extends Error {
    constructor(readonly instanceId: string) {
        super(`No instance with ID '${instanceId}' found.`);
        this.name = 'InstanceNotFoundError';
    }
}

/** The instance has finished (Completed, Failed, Terminated, Canceled): the operation no longer applies. */
export class InstanceGoneError extends Error {
    constructor(
        readonly instanceId: string,
        readonly runtimeStatus: string,
    ) {
        super(`The instance '${instanceId}' has status ${runtimeStatus}.`);
        this.name = 'InstanceGoneError';
    }
}

/** The operation does not apply to the instance's current status (the extension's InvalidOperationException: 500). */
export class InvalidInstanceOperationError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'InvalidInstanceOperationError';
    }
}
