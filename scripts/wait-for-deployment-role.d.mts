export const DEFAULT_SETTLE_SECONDS: number;

export function settleSecondsFrom(value: string | undefined): number;

export function secondsToWait(createdOn: Date, now: Date, settleSeconds: number): number;

export function roleAssignmentCreatedOn(
    id: string,
    getToken: () => string | Promise<string>,
    fetchImpl?: typeof fetch,
): Promise<Date>;

export function azdResourceManagerToken(env?: NodeJS.ProcessEnv): string;

export interface WaitOptions {
    env?: NodeJS.ProcessEnv;
    getToken?: () => string | Promise<string>;
    fetchImpl?: typeof fetch;
    sleep?: (ms: number) => Promise<void>;
    now?: () => Date;
    log?: (line: string) => void;
}

export function waitForDeploymentRole(options?: WaitOptions): Promise<{ waitedSeconds: number; reason: string }>;
