/**
 * InstanceRecord ⇄ `<Hub>Instances` row (docs/protocol.md §2): PartitionKey = escaped instance
 * id, RowKey "", DateTime columns as Date, `Generation` Int32, `RuntimeStatus` by name, `CustomStatus` the
 * literal "null" when unset (DTFx #477; a Pending row has none), `Tags` as JSON ("null" when none), `TaskHubName`.
 * `ParentInstanceId` is a devhost addition (the provider keeps the parent only in history), and so is
 * `StartedInMemory` on the Pending row of a start with no control message (docs/protocol.md §7); the provider
 * ignores unknown columns.
 */
import { z } from 'zod';
import { RuntimeStatus, type RuntimeStatusName } from '../../../shared/history';
import type { InstanceRecord } from '../task-hub-port/task-hub-storage';
import { tagsSchema } from './history-event-schema';
import { escapePartitionKey, unescapePartitionKey } from './key-sanitation';

export type InstanceEntity = Record<string, unknown> & { partitionKey: string; rowKey: string };

/** Every column an instance row can have; listings that skip the input select the others. */
export const INSTANCE_COLUMNS = [
    'ExecutionId',
    'Name',
    'Version',
    'Input',
    'InputBlobName',
    'Output',
    'OutputBlobName',
    'CustomStatus',
    'CreatedTime',
    'LastUpdatedTime',
    'CompletedTime',
    'ScheduledStartTime',
    'RuntimeStatus',
    'Generation',
    'Tags',
    'TagsBlobName',
    'TaskHubName',
    'ParentInstanceId',
    'StartedInMemory',
    'NameBlobName',
] as const;

export function instanceRecordToEntity(record: InstanceRecord, hubName: string): InstanceEntity {
    const entity: InstanceEntity = {
        partitionKey: escapePartitionKey(record.instanceId),
        rowKey: '',
        ExecutionId: record.executionId,
        Name: record.name,
        CreatedTime: record.createdTime,
        LastUpdatedTime: record.lastUpdatedTime,
        RuntimeStatus: record.runtimeStatus,
        Generation: record.generation,
        Tags: JSON.stringify(record.tags),
        TaskHubName: hubName,
    };
    // The table stores no nulls: an absent column is the null. A checkpoint writes the literal "null" for no
    // custom status (DTFx #477); a start's Pending row has no such column (SetNewExecutionAsync).
    if (record.customStatus !== null || record.runtimeStatus !== 'Pending')
        entity.CustomStatus = record.customStatus ?? 'null';
    if (record.version !== null) entity.Version = record.version;
    if (record.input !== null) entity.Input = record.input;
    if (record.output !== null) entity.Output = record.output;
    if (record.completedTime) entity.CompletedTime = record.completedTime;
    if (record.scheduledStartTime) entity.ScheduledStartTime = record.scheduledStartTime;
    if (record.parentInstanceId !== null) entity.ParentInstanceId = record.parentInstanceId;
    if (record.startedInMemory) entity.StartedInMemory = true;
    return entity;
}

const runtimeStatusNames = Object.keys(RuntimeStatus).filter((k) => Number.isNaN(Number(k))) as [
    RuntimeStatusName,
    ...RuntimeStatusName[],
];

/** A row as the SDK returns it with type conversion on (DateTime → Date). */
export const instanceRowSchema = z.looseObject({
    partitionKey: z.string(),
    ExecutionId: z.string().default(''),
    Name: z.string().default(''),
    Version: z.string().optional(),
    Input: z.string().optional(),
    InputBlobName: z.string().optional(),
    Output: z.string().optional(),
    OutputBlobName: z.string().optional(),
    CustomStatus: z.string().optional(),
    CreatedTime: z.date(),
    LastUpdatedTime: z.date(),
    CompletedTime: z.date().optional(),
    ScheduledStartTime: z.date().optional(),
    RuntimeStatus: z.enum(runtimeStatusNames),
    Generation: z.number().int().default(0),
    Tags: z.string().optional(),
    ParentInstanceId: z.string().optional(),
    StartedInMemory: z.boolean().optional(),
});
export type InstanceRow = z.infer<typeof instanceRowSchema>;

function parseTags(text: string | undefined): Record<string, string> | null {
    if (!text || text === 'null') return null;
    return tagsSchema.parse(JSON.parse(text));
}

/** Large columns must already be restored into `input` / `output` / `tags` text. */
export function instanceRowToRecord(
    row: InstanceRow,
    restored: { input: string | undefined; output: string | undefined; tags: string | undefined },
): InstanceRecord {
    return {
        instanceId: unescapePartitionKey(row.partitionKey),
        executionId: row.ExecutionId,
        name: row.Name,
        version: row.Version ?? null,
        input: restored.input ?? null,
        output: restored.output ?? null,
        customStatus: row.CustomStatus === undefined || row.CustomStatus === 'null' ? null : row.CustomStatus,
        runtimeStatus: row.RuntimeStatus,
        createdTime: row.CreatedTime,
        lastUpdatedTime: row.LastUpdatedTime,
        completedTime: row.CompletedTime ?? null,
        scheduledStartTime: row.ScheduledStartTime ?? null,
        generation: row.Generation,
        tags: parseTags(restored.tags),
        parentInstanceId: row.ParentInstanceId ?? null,
        ...(row.StartedInMemory === true ? { startedInMemory: true } : {}),
    };
}
