import { HttpResponse } from '@azure/functions';
import type { z } from 'zod';
import { formatFieldPath } from '../contracts/field-path';

/** One invalid field of a request body: `field` is a path such as `items[0].quantity`, `(root)` for the body. */
export interface FieldError {
    readonly field: string;
    readonly message: string;
}

/** An RFC 9457 problem document, with the `errors` extension for field-level validation failures. */
export interface ProblemDocument {
    readonly type: string;
    readonly title: string;
    readonly status: number;
    readonly detail: string;
    readonly errors?: readonly FieldError[];
    /** Extension members (RFC 9457 section 3.2), e.g. the list of startable orchestrators on a 404. */
    readonly [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Problem types: stable identifiers (not links) that clients can switch on. */
export const ProblemType = {
    malformedJson: 'urn:order-workflows:problem:malformed-json',
    payloadTooLarge: 'urn:order-workflows:problem:payload-too-large',
    invalidInput: 'urn:order-workflows:problem:invalid-input',
    unknownOrchestrator: 'urn:order-workflows:problem:unknown-orchestrator',
    conflict: 'urn:order-workflows:problem:conflict',
    notFound: 'urn:order-workflows:problem:not-found',
    upstreamFailure: 'urn:order-workflows:problem:durable-backend-failure',
} as const;

export function problemResponse(problem: ProblemDocument): HttpResponse {
    return new HttpResponse({
        status: problem.status,
        jsonBody: problem,
        headers: { 'Content-Type': PROBLEM_CONTENT_TYPE },
    });
}

/** One message per field: the first issue zod reports for each path, in the order zod reports them. */
export function fieldErrors(error: z.ZodError): FieldError[] {
    const byField = new Map<string, string>();
    for (const issue of error.issues) {
        const field = formatFieldPath(issue.path);
        if (!byField.has(field)) {
            byField.set(field, issue.message);
        }
    }
    return [...byField].map(([field, message]) => ({ field, message }));
}
