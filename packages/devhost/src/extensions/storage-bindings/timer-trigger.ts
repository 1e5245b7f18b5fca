/**
 * `app.timer`: invokes the function at each occurrence of its NCRONTAB schedule, one invocation at a time (an
 * occurrence that comes due while the previous one still runs waits for it, as with the host's singleton
 * timer lock). `runOnStartup` adds one invocation when the host starts. With `useMonitor` (the default) the
 * schedule status (Last, Next, LastUpdated) is kept in the `azure-webjobs-hosts` container, as the host keeps
 * it, so an occurrence missed while the devhost was down runs once at start with `isPastDue: true`.
 */
import { z } from 'zod';
import { isNotFound } from '../../host/storage-account';
import { errorMessage } from '../../shared/errors';
import type { HostLogger, InvocationOutcome, InvokeRequest, RegisteredFunction } from '../../shared/host-contracts';
import { HOST_CONNECTION, type StorageAccounts } from './accounts';
import { parseNcrontab, type CronSchedule } from './ncrontab';
import type { TriggerClock } from './trigger-clock';

const statusSchema = z.object({ Last: z.string(), Next: z.string(), LastUpdated: z.string() });
type ScheduleStatus = z.infer<typeof statusSchema>;

export const TIMER_STATUS_CONTAINER = 'azure-webjobs-hosts';
const HOST_ID = 'devhost';

export interface TimerTriggerOptions {
    fn: RegisteredFunction;
    invoke: (request: InvokeRequest) => Promise<InvocationOutcome>;
    clock: TriggerClock;
    accounts: StorageAccounts;
    logger: HostLogger;
}

export class TimerTrigger {
    readonly #options: TimerTriggerOptions;
    readonly #schedule: CronSchedule;
    readonly #useMonitor: boolean;
    #cancel: (() => void) | undefined;
    #running: Promise<void> = Promise.resolve();
    #stopped = false;

    constructor(options: TimerTriggerOptions) {
        this.#options = options;
        const binding = options.fn.trigger.binding;
        if (typeof binding.schedule !== 'string') throw new Error(`Timer '${options.fn.name}' has no schedule.`);
        this.#schedule = parseNcrontab(binding.schedule);
        this.#useMonitor = binding.useMonitor !== false;
    }

    get #statusBlob() {
        const { accounts, fn } = this.#options;
        return accounts
            .container(HOST_CONNECTION, TIMER_STATUS_CONTAINER)
            .getBlockBlobClient(`timers/${HOST_ID}/${fn.name}/status`);
    }

    async #readStatus(): Promise<ScheduleStatus | undefined> {
        try {
            const text = (await this.#statusBlob.downloadToBuffer()).toString('utf8');
            const parsed = statusSchema.safeParse(JSON.parse(text));
            return parsed.success ? parsed.data : undefined;
        } catch (error) {
            if (isNotFound(error)) return undefined;
            throw error;
        }
    }

    async #writeStatus(status: ScheduleStatus): Promise<void> {
        await this.#options.accounts.createdContainer(HOST_CONNECTION, TIMER_STATUS_CONTAINER);
        await this.#statusBlob.uploadData(Buffer.from(JSON.stringify(status)));
    }

    async start(): Promise<void> {
        const now = this.#options.clock.now();
        const binding = this.#options.fn.trigger.binding;
        const status = this.#useMonitor ? await this.#readStatus() : undefined;
        if (status && Date.parse(status.Next) < now.getTime()) {
            this.#enqueue(new Date(status.Next), true, status);
        } else if (binding.runOnStartup === true) {
            this.#enqueue(now, false, status);
        }
        this.#arm(now);
    }

    #arm(after: Date): void {
        if (this.#stopped) return;
        const next = this.#schedule.next(after);
        if (!next) return;
        this.#cancel = this.#options.clock.at(next, () => {
            this.#enqueue(next, false, undefined);
            this.#arm(next);
        });
    }

    /** Occurrences run one after another, never overlapping. */
    #enqueue(scheduled: Date, isPastDue: boolean, previous: ScheduleStatus | undefined): void {
        this.#running = this.#running.then(() => this.#fire(scheduled, isPastDue, previous));
    }

    async #fire(scheduled: Date, isPastDue: boolean, previous: ScheduleStatus | undefined): Promise<void> {
        const { fn, invoke, clock, logger } = this.#options;
        const next = this.#schedule.next(clock.now() > scheduled ? clock.now() : scheduled);
        const status: ScheduleStatus = {
            Last: scheduled.toISOString(),
            Next: (next ?? scheduled).toISOString(),
            LastUpdated: clock.now().toISOString(),
        };
        const timerInfo = {
            Schedule: { AdjustForDST: true },
            ScheduleStatus: previous ?? (this.#useMonitor ? status : null),
            IsPastDue: isPastDue,
        };
        try {
            const outcome = await invoke({
                functionName: fn.name,
                inputData: [{ name: fn.trigger.name, data: { json: JSON.stringify(timerInfo) } }],
            });
            if (outcome.status === 'failure') logger.warn(`Timer '${fn.name}' failed: ${outcome.message}`);
            if (this.#useMonitor) await this.#writeStatus(status);
        } catch (error) {
            logger.error(`Timer '${fn.name}' could not run: ${errorMessage(error)}`);
        }
    }

    /** Stops scheduling and waits for occurrences already due to finish. */
    async stop(): Promise<void> {
        this.#stopped = true;
        this.#cancel?.();
        await this.#running;
    }
}
