/**
 * What must hold on a task hub once its work is done, whatever crashed on the way, as lists of problems (empty
 * when all is well) so a crash-point run can report every broken invariant at once:
 *
 * - every instance row agrees with its history: the same execution, and a terminal row says what the
 *   history's completion says (status and output);
 * - every history is clean: the execution started once and ended at most once, each task, sub-orchestration
 *   and timer was scheduled once and answered at most once (exactly once when the instance completed);
 * - nothing was set aside as poison, and the queues drain (hidden messages included).
 */
import { ContainerClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';
import { controlQueueName } from '../extensions/durable/azure-storage/hub-resources';
import type { InstanceRecord, TaskHubStorage } from '../extensions/durable/task-hub-port/task-hub-storage';
import { EventType, isTerminalStatus, RuntimeStatus, type HistoryEvent } from '../shared/history';

/** Long outputs shortened for a problem line. */
function clip(text: string | null): string {
    return text === null || text.length <= 120 ? String(text) : `${text.slice(0, 120)}… (${text.length} chars)`;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Every row of the hub (the memory of a small scenario: no paging limit to worry about). */
export async function allRows(storage: TaskHubStorage): Promise<InstanceRecord[]> {
    const rows: InstanceRecord[] = [];
    let token: string | undefined;
    do {
        const page = await storage.queryInstances({ excludeInput: true }, token);
        rows.push(...page.instances);
        token = page.continuationToken;
    } while (token);
    return rows;
}

/** Polls until every listed instance has a terminal row; returns the rows as last read. */
export async function waitForTerminal(
    storage: TaskHubStorage,
    instanceIds: Iterable<string>,
    timeoutMs: number,
): Promise<Map<string, InstanceRecord | undefined>> {
    const deadline = Date.now() + timeoutMs;
    const rows = new Map<string, InstanceRecord | undefined>();
    for (const id of instanceIds) rows.set(id, undefined);
    for (;;) {
        for (const [id, row] of rows) {
            if (row && isTerminalStatus(row.runtimeStatus)) continue;
            rows.set(id, await storage.readInstance(id));
        }
        const open = [...rows.values()].filter((row) => !row || !isTerminalStatus(row.runtimeStatus));
        if (open.length === 0 || Date.now() > deadline) return rows;
        await sleep(50);
    }
}

/** The row against its history: same execution; a terminal row carries the history's outcome. */
export function rowProblems(
    row: InstanceRecord,
    executionId: string | null,
    events: readonly HistoryEvent[],
): string[] {
    const id = row.instanceId;
    if (executionId === null) return [`${id}: row ${row.runtimeStatus} without history`];
    if (executionId !== row.executionId)
        return [`${id}: row names execution ${row.executionId}, history holds ${executionId}`];
    const completion = events.find((e) => e.EventType === EventType.ExecutionCompleted);
    const terminated = events.find((e) => e.EventType === EventType.ExecutionTerminated);
    if (completion?.EventType === EventType.ExecutionCompleted) {
        const status = RuntimeStatus[completion.OrchestrationStatus];
        const problems: string[] = [];
        if (row.runtimeStatus !== status) problems.push(`${id}: row ${row.runtimeStatus}, history ${status}`);
        if (row.output !== completion.Result)
            problems.push(`${id}: row output ${clip(row.output)} differs from history's ${clip(completion.Result)}`);
        return problems;
    }
    if (terminated)
        return row.runtimeStatus === 'Terminated' ? [] : [`${id}: row ${row.runtimeStatus}, history Terminated`];
    return isTerminalStatus(row.runtimeStatus) ? [`${id}: row ${row.runtimeStatus}, history still running`] : [];
}

/** One execution's history: started once, ended at most once, every scheduled thing answered once. */
export function historyProblems(events: readonly HistoryEvent[], instanceId: string): string[] {
    const problems: string[] = [];
    const count = (type: EventType): number => events.filter((e) => e.EventType === type).length;
    if (count(EventType.ExecutionStarted) !== 1)
        problems.push(`${instanceId}: ${count(EventType.ExecutionStarted)} ExecutionStarted`);
    const ends = count(EventType.ExecutionCompleted) + count(EventType.ExecutionTerminated);
    if (ends > 1) problems.push(`${instanceId}: ended ${ends} times`);
    const ids = (types: readonly EventType[], key: 'EventId' | 'TaskScheduledId' | 'TimerId'): number[] =>
        events
            .filter((e) => types.includes(e.EventType))
            .map((e) => Number((e as unknown as Record<string, unknown>)[key]))
            .sort((a, b) => a - b);
    const scheduled = ids([EventType.TaskScheduled, EventType.SubOrchestrationInstanceCreated], 'EventId');
    const answered = ids(
        [
            EventType.TaskCompleted,
            EventType.TaskFailed,
            EventType.SubOrchestrationInstanceCompleted,
            EventType.SubOrchestrationInstanceFailed,
        ],
        'TaskScheduledId',
    );
    const repeats = (list: number[]): number[] => list.filter((id, i) => list.indexOf(id) !== i);
    if (repeats(scheduled).length > 0) problems.push(`${instanceId}: scheduled twice: ${repeats(scheduled).join(',')}`);
    if (repeats(answered).length > 0) problems.push(`${instanceId}: answered twice: ${repeats(answered).join(',')}`);
    const strays = answered.filter((id) => !scheduled.includes(id));
    if (strays.length > 0) problems.push(`${instanceId}: answers without a task: ${strays.join(',')}`);
    const completed = events.some(
        (e) => e.EventType === EventType.ExecutionCompleted && e.OrchestrationStatus === RuntimeStatus.Completed,
    );
    const open = scheduled.filter((id) => !answered.includes(id));
    if (completed && open.length > 0)
        problems.push(`${instanceId}: completed with tasks unanswered: ${open.join(',')}`);
    const timers = ids([EventType.TimerCreated], 'EventId');
    const fired = ids([EventType.TimerFired], 'TimerId');
    if (repeats(fired).length > 0) problems.push(`${instanceId}: timer fired twice: ${repeats(fired).join(',')}`);
    if (completed && fired.join() !== timers.join()) problems.push(`${instanceId}: timers ${timers} fired ${fired}`);
    return problems;
}

/** Rows that disagree with their history, unclean histories, and instances not ended (entities excepted). */
export async function hubProblems(storage: TaskHubStorage): Promise<string[]> {
    const problems: string[] = [];
    for (const row of await allRows(storage)) {
        if (row.instanceId.startsWith('@')) continue;
        const history = await storage.readHistory(row.instanceId);
        if (!isTerminalStatus(row.runtimeStatus)) problems.push(`${row.instanceId}: still ${row.runtimeStatus}`);
        problems.push(...rowProblems(row, history.executionId, history.events));
        if (history.executionId !== null) problems.push(...historyProblems(history.events, row.instanceId));
    }
    return problems;
}

/** Messages left in the hub's queues (a count includes hidden ones) once `timeoutMs` passed without draining. */
export async function undrainedQueues(
    connectionString: string,
    hubName: string,
    partitionCount: number,
    timeoutMs: number,
): Promise<Record<string, number>> {
    const service = QueueServiceClient.fromConnectionString(connectionString);
    const names = [
        ...Array.from({ length: partitionCount }, (_, p) => controlQueueName(hubName, p)),
        `${hubName.toLowerCase()}-workitems`,
    ];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const left: Record<string, number> = {};
        for (const name of names) {
            const { approximateMessagesCount = 0 } = await service.getQueueClient(name).getProperties();
            if (approximateMessagesCount > 0) left[name] = approximateMessagesCount;
        }
        if (Object.keys(left).length === 0 || Date.now() > deadline) return left;
        await sleep(200);
    }
}

/** Messages the runtime set aside as poison (`<hub>-largemessages/<id>/poison-*`). */
export async function poisonBlobs(connectionString: string, hubName: string): Promise<string[]> {
    const container = new ContainerClient(connectionString, `${hubName.toLowerCase()}-largemessages`);
    if (!(await container.exists())) return [];
    const names: string[] = [];
    for await (const blob of container.listBlobsFlat()) if (blob.name.includes('/poison-')) names.push(blob.name);
    return names;
}
