/**
 * The extension side of an episode: what the Durable extension's out-of-process shim and DTFx do with the
 * SDK's cumulative action list. The actions are invoked one top-level action at a time, each awaited
 * before the next (OutOfProcOrchestrationShim.ProcessAsyncActionsV2), while the history is replayed event
 * by event. Every schedulable step takes the next id from one counter starting at 0, including the work the
 * extension expands on its own (retry timers and attempts, long-timer sub-timers, HTTP poll timers and
 * requests), at the moment the completion that triggers it is replayed. Steps that history has not
 * confirmed yet are this episode's new decisions. A history event that the replay did not schedule (or
 * scheduled as something else) is a non-determinism error, as in DTFx.
 *
 * "Open tasks" are what DTFx counts: scheduled activities, timers and sub-orchestrations whose completion
 * has not been replayed, minus cancelled timers. Waiting for an external event is not an open task.
 */
import { EventType, type EventRaisedEvent } from '../../../shared/history';
import type { Action, HttpRequestJson, RetryPolicy } from './actions';
import { CriticalSection } from './entity-locks';
import { ENTITY_REQUEST_EVENT, isFailedResponse, stableGuid, type EntityMessage } from './entity-protocol';
import { tryParseJson } from './events';
import { headerValue, httpResponseSchema, locationPollRequest } from './http-polling';
import {
    describeDecision,
    httpActivityName,
    type Decision,
    type Divergence,
    type ReplayInput,
    type ReplayResult,
} from './replay-contract';
import { SimTask, type TaskOutcome } from './sim-task';

export {
    httpActivityName,
    type Decision,
    type Divergence,
    type ReplayInput,
    type ReplayOptions,
    type ReplayResult,
} from './replay-contract';

const succeeded = (value: unknown): TaskOutcome => ({ status: 'succeeded', value });

class ShimReplay {
    readonly #input: ReplayInput;
    #now: Date = new Date(0);
    #nextId = 0;
    #index = 0;
    readonly #unconfirmed = new Map<number, Decision>();
    readonly #open = new Map<number, SimTask>();
    readonly #eventWaiters = new Map<string, SimTask[]>();
    readonly #bufferedEvents = new Map<string, Array<string | null>>();
    #nonDeterminism: string | null = null;
    #divergence: Divergence | null = null;
    /** Leaf actions invoked so far, the one whose steps are being scheduled, and each step's leaf (by id). */
    #leafCount = 0;
    #currentLeaf = -1;
    readonly #leafOf = new Map<number, number>();
    #allActionsReached = false;
    #continueAsNew: { input: unknown; carryOver: EventRaisedEvent[] } | null = null;
    readonly #locks = new CriticalSection(
        (instanceId, name, message) => this.#sendToEntity(instanceId, name, message),
        (name) => this.#waitForEvent(name),
    );

    constructor(input: ReplayInput) {
        this.#input = input;
    }

    run(): ReplayResult {
        let started = false;
        const { history } = this.#input;
        for (this.#index = 0; this.#index < history.length && !this.#nonDeterminism; this.#index++) {
            const event = history[this.#index];
            if (!event) continue;
            switch (event.EventType) {
                case EventType.OrchestratorStarted:
                    this.#now = new Date(event.Timestamp);
                    break;
                case EventType.ExecutionStarted:
                    if (!started) {
                        started = true;
                        this.#runActions(0);
                    }
                    break;
                case EventType.TaskScheduled:
                    this.#confirm(event.EventId, 'task', event.Name, `an activity task named '${event.Name}'`);
                    break;
                case EventType.TimerCreated:
                    this.#confirm(event.EventId, 'timer', null, `a timer firing at ${event.FireAt}`);
                    break;
                case EventType.SubOrchestrationInstanceCreated:
                    this.#confirm(
                        event.EventId,
                        'subOrchestration',
                        event.Name,
                        `a sub-orchestration named '${event.Name}'`,
                    );
                    break;
                case EventType.EventSent:
                    this.#confirm(
                        event.EventId,
                        'eventSent',
                        event.Name,
                        `an event '${event.Name}' sent to '${event.InstanceId}'`,
                    );
                    break;
                case EventType.TaskCompleted:
                case EventType.SubOrchestrationInstanceCompleted:
                    this.#complete(
                        event.TaskScheduledId,
                        succeeded(event.Result === null ? null : tryParseJson(event.Result)),
                    );
                    break;
                case EventType.TaskFailed:
                case EventType.SubOrchestrationInstanceFailed:
                    this.#complete(event.TaskScheduledId, {
                        status: 'failed',
                        failure: { reason: event.Reason, details: event.Details },
                    });
                    break;
                case EventType.TimerFired:
                    this.#complete(event.TimerId, succeeded(undefined));
                    break;
                case EventType.EventRaised:
                    this.#raise(event);
                    break;
                default:
                    // Terminate/suspend/resume are the episode's business; completion markers carry no work.
                    break;
            }
        }
        const decisions = [...this.#unconfirmed.values()].sort((a, b) => a.id - b.id);
        return {
            decisions: this.#nonDeterminism ? [] : decisions,
            nonDeterminism: this.#nonDeterminism,
            divergence: this.#divergence,
            decisionActions: this.#leafOf,
            allActionsReached: this.#allActionsReached,
            openTasks: this.#open.size,
            nextId: this.#nextId,
            continueAsNew: this.#continueAsNew,
            eventWaits: [...this.#eventWaiters].flatMap(([name, waiters]) => waiters.map(() => name)),
        };
    }

    /** The shim's loop: invoke each top-level action and await it before the next; failures are swallowed. */
    #runActions(from: number): void {
        const { actions } = this.#input;
        for (let i = from; i < actions.length; i++) {
            const action = actions[i];
            if (!action) continue;
            const task = this.#invoke(action);
            if (!task.settled) {
                task.whenSettled(() => this.#runActions(i + 1));
                return;
            }
        }
        this.#allActionsReached = true;
    }

    #invoke(action: Action): SimTask {
        if (action.type !== 'WhenAll' && action.type !== 'WhenAny') this.#currentLeaf = this.#leafCount++;
        switch (action.type) {
            case 'CallActivity':
                return this.#scheduleTask(action.functionName, activityInputText(action.input));
            case 'CallActivityWithRetry':
                return this.#withRetry(action.retry, () =>
                    this.#scheduleTask(action.functionName, activityInputText(action.input)),
                );
            case 'CallSubOrchestrator': {
                const create = (): SimTask =>
                    this.#createSubOrchestration(action.functionName, action.instanceId, action.input, action.version);
                return action.retry ? this.#withRetry(action.retry, create) : create();
            }
            case 'CreateTimer': {
                const timer = this.#userTimer(action.fireAt);
                // The shim cancels the token right after creating the timer: the timer is still scheduled,
                // but it leaves the open tasks and its task ends at once.
                if (action.isCanceled) timer.cancel();
                return timer.task;
            }
            case 'WaitForExternalEvent':
                return this.#waitForEvent(action.name);
            case 'CallHttp':
                return this.#callHttp(action.request);
            case 'ContinueAsNew':
                this.#continueAsNew ??= { input: action.input, carryOver: [] };
                return SimTask.succeeded(undefined);
            case 'WhenAll':
                return this.#whenAll(action.children.map((child) => this.#invoke(child)));
            case 'WhenAny':
                return this.#whenAny(action.children.map((child) => this.#invoke(child)));
            case 'CallEntity':
                return this.#callEntity(action.instanceId, action.operation, action.input);
            case 'SignalEntity':
                // Fire and forget: the shim does not wait for anything.
                this.#sendEntityRequest(action.instanceId, action.operation, action.input, true);
                return SimTask.succeeded(undefined);
            case 'LockEntities':
                return this.#locks.lock(action.lockSet);
            case 'ReleaseEntities':
                this.#locks.release();
                return SimTask.succeeded(undefined);
            case 'Entity':
                // The episode fails the orchestration before replaying; this keeps the walk total.
                return new SimTask();
        }
    }

    #allocate(decision: Decision): SimTask {
        this.#unconfirmed.set(decision.id, decision);
        this.#leafOf.set(decision.id, this.#currentLeaf);
        const task = new SimTask();
        this.#open.set(decision.id, task);
        return task;
    }

    #scheduleTask(name: string, input: string): SimTask {
        return this.#allocate({ kind: 'task', id: this.#nextId++, name, input });
    }

    #createSubOrchestration(name: string, instanceId: string | null, input: unknown, version: string | null): SimTask {
        const id = this.#nextId++;
        return this.#allocate({
            kind: 'subOrchestration',
            id,
            name,
            // DTFx's default child id: the parent's ExecutionId and the sequence number.
            instanceId: instanceId ?? `${this.#input.executionId}:${id}`,
            input: input === undefined ? null : JSON.stringify(input),
            // As the orchestrator asked; none: the episode stamps the host's defaultVersion (docs/protocol.md §16).
            version: version ?? undefined,
        });
    }

    #createTimer(fireAt: Date): { task: SimTask; cancel: () => void } {
        const id = this.#nextId++;
        const task = this.#allocate({ kind: 'timer', id, fireAt });
        return {
            task,
            cancel: () => {
                if (task.settled) return;
                this.#open.delete(id);
                task.settle({ status: 'canceled' });
            },
        };
    }

    /** The extension's CreateTimer: a long timer becomes a chain of sub-timers, one id each. */
    #userTimer(fireAt: Date): { task: SimTask; cancel: () => void } {
        const { maximumShortTimerMs, longRunningTimerIntervalMs } = this.#input.options;
        if (fireAt.getTime() - this.#now.getTime() <= maximumShortTimerMs) return this.#createTimer(fireAt);
        const whole = new SimTask();
        let current: { task: SimTask; cancel: () => void } | undefined;
        const step = (intervalFireAt: Date): void => {
            current = this.#createTimer(intervalFireAt);
            current.task.whenSettled((outcome) => {
                if (outcome.status !== 'succeeded') return whole.settle(outcome);
                const remainingMs = fireAt.getTime() - this.#now.getTime();
                if (remainingMs <= 0) return whole.settle(succeeded(undefined));
                const nextMs = remainingMs < longRunningTimerIntervalMs ? remainingMs : longRunningTimerIntervalMs;
                step(new Date(this.#now.getTime() + nextMs));
            });
        };
        step(new Date(this.#now.getTime() + longRunningTimerIntervalMs));
        return { task: whole, cancel: () => current?.cancel() };
    }

    /**
     * DTFx's RetryInterceptor: after a failed attempt, a timer (first interval x backoff^n, capped, none
     * once retryTimeout has passed), then the next attempt; after the last failed attempt a "dummy" timer
     * firing at once, then the failure. The SDK's RetryableTask expects exactly these ids.
     */
    #withRetry(policy: RetryPolicy, attempt: () => SimTask): SimTask {
        const whole = new SimTask();
        const firstAttemptAt = this.#now.getTime();
        // The SDK always makes a first attempt; so does the engine, whatever maxNumberOfAttempts says.
        const maxAttempts = Math.max(1, policy.maxNumberOfAttempts);
        let retryCount = 0;
        const run = (): void => {
            attempt().whenSettled((outcome) => {
                if (outcome.status === 'succeeded') return whole.settle(outcome);
                if (retryCount + 1 >= maxAttempts) {
                    this.#createTimer(this.#now).task.whenSettled(() => whole.settle(outcome));
                    return;
                }
                const delayMs = this.#nextRetryDelay(policy, retryCount, firstAttemptAt);
                if (delayMs <= 0) return whole.settle(outcome);
                this.#createTimer(new Date(this.#now.getTime() + delayMs)).task.whenSettled(() => {
                    retryCount++;
                    run();
                });
            });
        };
        run();
        return whole;
    }

    #nextRetryDelay(policy: RetryPolicy, attempt: number, firstAttemptAt: number): number {
        const expiration = firstAttemptAt + policy.retryTimeoutMs;
        if (!(this.#now.getTime() < expiration)) return 0;
        const delay = policy.firstRetryIntervalMs * Math.pow(policy.backoffCoefficient, attempt);
        return delay < policy.maxRetryIntervalMs ? delay : policy.maxRetryIntervalMs;
    }

    /**
     * The extension's CallHttpAsync: the request runs as the built-in HTTP activity; while the answer is
     * 202 with a Location header (and polling is enabled) it waits (Retry-After seconds, else the default)
     * and GETs the Location. Like the SDK, a 202 without Location is a final answer.
     */
    #callHttp(request: HttpRequestJson): SimTask {
        const whole = new SimTask();
        const send = (req: HttpRequestJson): void => {
            this.#scheduleTask(httpActivityName, JSON.stringify([req])).whenSettled((outcome) => {
                if (outcome.status !== 'succeeded') return whole.settle(outcome);
                const response = httpResponseSchema.safeParse(outcome.value);
                const location = response.success ? headerValue(response.data.headers, 'Location') : undefined;
                if (
                    !response.success ||
                    response.data.statusCode !== 202 ||
                    request.asynchronousPatternEnabled === false ||
                    !location
                ) {
                    return whole.settle(outcome);
                }
                const retryAfterSeconds = Number.parseInt(headerValue(response.data.headers, 'Retry-After') ?? '', 10);
                const delayMs = Number.isFinite(retryAfterSeconds)
                    ? retryAfterSeconds * 1000
                    : this.#input.options.defaultHttpAsyncRequestSleepMs;
                this.#createTimer(new Date(this.#now.getTime() + delayMs)).task.whenSettled(() =>
                    send(locationPollRequest(request, location)),
                );
            });
        };
        send(request);
        return whole;
    }

    /**
     * SendEvent to an entity (takes the next id). A request's id is a GUID the replay derives again every time
     * (the extension's NewGuid is deterministic too); it names the EventRaised that will carry the response.
     */
    #sendToEntity(instanceId: string, name: string, message: (requestId: string) => EntityMessage): string {
        const id = this.#nextId++;
        const requestId = stableGuid([this.#input.executionId, id]);
        this.#unconfirmed.set(id, { kind: 'eventSent', id, name, instanceId, message: message(requestId) });
        this.#leafOf.set(id, this.#currentLeaf);
        return requestId;
    }

    /** DurableOrchestrationContext.CallDurableTaskFunctionAsync for an entity: SendEvent "op". */
    #sendEntityRequest(instanceId: string, operation: string, input: unknown, signal: boolean): string {
        const text = input === undefined || input === null ? undefined : JSON.stringify(input);
        return this.#sendToEntity(instanceId, ENTITY_REQUEST_EVENT, (requestId) => ({
            kind: 'operation',
            requestId,
            operation,
            input: text,
            signal,
        }));
    }

    /** A call: the request, then a wait for the response event; a response with exceptionType fails it. */
    #callEntity(instanceId: string, operation: string, input: unknown): SimTask {
        const requestId = this.#sendEntityRequest(instanceId, operation, input, false);
        const whole = new SimTask();
        this.#waitForEvent(requestId).whenSettled((outcome) => {
            if (outcome.status === 'succeeded' && isFailedResponse(outcome.value)) {
                whole.settle({
                    status: 'failed',
                    failure: { reason: `Entity operation '${operation}' failed`, details: null },
                });
            } else whole.settle(outcome);
        });
        return whole;
    }

    /** The extension keeps waiters per name as a stack (newest first) and buffers events nobody awaits. */
    #waitForEvent(name: string): SimTask {
        const task = new SimTask();
        const buffered = this.#bufferedEvents.get(name);
        if (buffered && buffered.length > 0) {
            const input = buffered.shift() ?? null;
            task.settle(succeeded(input === null ? undefined : tryParseJson(input)));
            return task;
        }
        const waiters = this.#eventWaiters.get(name) ?? [];
        waiters.push(task);
        this.#eventWaiters.set(name, waiters);
        return task;
    }

    #raise(event: EventRaisedEvent): void {
        if (this.#continueAsNew) {
            // Raised after the orchestrator chose to continue as new: DTFx carries it to the next generation.
            if (this.#index >= this.#input.firstNewIndex) this.#continueAsNew.carryOver.push(event);
            return;
        }
        const waiter = this.#eventWaiters.get(event.Name)?.pop();
        if (waiter) {
            waiter.settle(succeeded(event.Input === null ? undefined : tryParseJson(event.Input)));
            return;
        }
        const buffered = this.#bufferedEvents.get(event.Name) ?? [];
        buffered.push(event.Input);
        this.#bufferedEvents.set(event.Name, buffered);
    }

    #whenAll(children: SimTask[]): SimTask {
        const whole = new SimTask();
        if (children.length === 0) {
            whole.settle(succeeded([]));
            return whole;
        }
        let pending = children.length;
        for (const child of children) {
            child.whenSettled(() => {
                pending--;
                if (pending > 0) return;
                // Task.WhenAll completes only when every child has; then it reports the first failure.
                const failed = children.find((c) => c.outcome?.status !== 'succeeded');
                if (failed?.outcome) whole.settle(failed.outcome);
                else
                    whole.settle(
                        succeeded(
                            children.map((c) => (c.outcome?.status === 'succeeded' ? c.outcome.value : undefined)),
                        ),
                    );
            });
        }
        return whole;
    }

    #whenAny(children: SimTask[]): SimTask {
        const whole = new SimTask();
        // Task.WhenAny succeeds with the first child to finish, whatever that child's outcome.
        for (const child of children) child.whenSettled(() => whole.settle(succeeded(undefined)));
        return whole;
    }

    #confirm(id: number, kind: Decision['kind'], name: string | null, described: string): void {
        const decision = this.#unconfirmed.get(id);
        const prefix =
            `Non-Deterministic workflow detected: A previous execution of this orchestration scheduled ${described} ` +
            `with sequence ID ${id}, but the current replay execution`;
        const suffix = ' Was a change made to the orchestrator code after this instance had already started running?';
        if (!decision) {
            this.#nonDeterminism = `${prefix} hasn't (yet?) scheduled this task.${suffix}`;
            this.#divergence = { historyIndex: this.#index, eventId: id, leafAction: null };
            return;
        }
        const decisionName = decision.kind === 'timer' ? null : decision.name;
        if (decision.kind !== kind || (name !== null && decisionName?.toLowerCase() !== name.toLowerCase())) {
            this.#nonDeterminism = `${prefix} instead scheduled ${describeDecision(decision)} at this sequence number.${suffix}`;
            this.#divergence = { historyIndex: this.#index, eventId: id, leafAction: this.#leafOf.get(id) ?? null };
            return;
        }
        this.#unconfirmed.delete(id);
    }

    #complete(id: number, outcome: TaskOutcome): void {
        const task = this.#open.get(id);
        // DTFx logs and ignores a completion for a task it is not waiting on (duplicate or cancelled).
        if (!task) return;
        this.#open.delete(id);
        // What this completion schedules next (a retry, the next sub-timer, a poll) belongs to the same action.
        this.#currentLeaf = this.#leafOf.get(id) ?? this.#currentLeaf;
        task.settle(outcome);
    }
}

/** DTFx stores an activity's input as a one-element JSON array of the action's input. */
function activityInputText(input: unknown): string {
    return JSON.stringify([input === undefined ? null : input]);
}

export function replay(input: ReplayInput): ReplayResult {
    return new ShimReplay(input).run();
}
