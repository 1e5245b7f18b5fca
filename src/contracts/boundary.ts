import type { z } from 'zod';
import { formatFieldPath } from './field-path';

/** A schema failure as `path: message` pairs joined by `; `: readable in a failed activity or instance. */
export function describeIssues(error: z.ZodError): string {
    return error.issues.map((issue) => `${formatFieldPath(issue.path)}: ${issue.message}`).join('; ');
}

/**
 * Thrown when data crossing into a workflow (an activity's input, an orchestrator's input, an activity's
 * result read back from history) does not match its schema. The message names the function and the fields.
 */
export class WorkflowInputError extends Error {
    override readonly name = 'WorkflowInputError';
    constructor(
        readonly functionName: string,
        readonly what: string,
        readonly zodError: z.ZodError,
    ) {
        super(`${functionName}: invalid ${what}: ${describeIssues(zodError)}`);
    }
}

/** Parses `value` with `schema` or throws a WorkflowInputError naming the function and what was read. */
export function parseOrThrow<S extends z.ZodType>(
    schema: S,
    value: unknown,
    functionName: string,
    what: string,
): z.output<S> {
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
        throw new WorkflowInputError(functionName, what, parsed.error);
    }
    return parsed.data;
}
