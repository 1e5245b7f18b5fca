/**
 * The Azure Storage bindings and triggers of the devhost, as the Functions host's Storage extension provides
 * them: blob input/output, queue output and table input/output on any function, and timer, queue and blob
 * triggers. Connections are resolved per binding (`connection`, else AzureWebJobsStorage). Nothing starts for an
 * app that uses none of them.
 */
import type {
    BindingInfo,
    HostContext,
    HostExtension,
    InputRequest,
    OutputRequest,
    TypedData,
} from '../../shared/host-contracts';
import { StorageAccounts } from './accounts';
import { readBlobInput, writeBlobOutput } from './blob-binding';
import { BlobTrigger } from './blob-trigger';
import { writeQueueOutput } from './queue-binding';
import { queueSettingsFromHostJson, type QueueSettings } from './queue-settings';
import { QueueTrigger } from './queue-trigger';
import { readTableInput, writeTableOutput } from './table-binding';
import { TimerTrigger } from './timer-trigger';
import { systemClock, type TriggerClock } from './trigger-clock';

export interface StorageExtensionOptions {
    /** When timers come due; tests pass their own. */
    clock?: TriggerClock;
    /** How often blob triggers list their container (the host's polling scan); 2 s by default. */
    blobPollIntervalMs?: number;
}

interface Trigger {
    start(): Promise<void>;
    stop(): Promise<void>;
}

export function createStorageExtension(options: StorageExtensionOptions = {}): HostExtension {
    let accounts: StorageAccounts | undefined;
    let env: NodeJS.ProcessEnv = process.env;
    let queueSettings: QueueSettings | undefined;
    const triggers: Trigger[] = [];

    const started = (): StorageAccounts => {
        if (!accounts) throw new Error('The storage bindings have not started.');
        return accounts;
    };

    return {
        name: 'storage',
        triggerTypes: ['timerTrigger', 'queueTrigger', 'blobTrigger'],
        inputBindingTypes: ['blob', 'table'],
        outputBindingTypes: ['blob', 'queue', 'table'],

        async start(host: HostContext): Promise<void> {
            env = host.env;
            accounts = new StorageAccounts(env);
            queueSettings = queueSettingsFromHostJson(host.app.hostJson);
            const invoke = host.app.invoke.bind(host.app);
            for (const fn of host.app.functions.values()) {
                const type = fn.trigger.binding.type.toLowerCase();
                const common = { fn, invoke, accounts, logger: host.logger };
                if (type === 'timertrigger') {
                    triggers.push(new TimerTrigger({ ...common, clock: options.clock ?? systemClock }));
                } else if (type === 'queuetrigger') {
                    triggers.push(new QueueTrigger({ ...common, settings: queueSettings, env }));
                } else if (type === 'blobtrigger') {
                    triggers.push(
                        new BlobTrigger({ ...common, env, pollIntervalMs: options.blobPollIntervalMs ?? 2_000 }),
                    );
                }
            }
            for (const trigger of triggers) await trigger.start();
        },

        async provideInput(binding: BindingInfo, request: InputRequest): Promise<unknown> {
            return binding.type.toLowerCase() === 'blob'
                ? readBlobInput(started(), binding, request.bindingData, env)
                : readTableInput(started(), binding, request.bindingData, env);
        },

        async writeOutput(binding: BindingInfo, data: TypedData, request: OutputRequest): Promise<void> {
            const type = binding.type.toLowerCase();
            if (type === 'blob') return writeBlobOutput(started(), binding, data, request.bindingData, env);
            if (type === 'table') return writeTableOutput(started(), binding, data, request.bindingData, env);
            return writeQueueOutput(
                started(),
                binding,
                data,
                request.bindingData,
                env,
                queueSettings?.messageEncoding ?? 'base64',
            );
        },

        async stop(): Promise<void> {
            await Promise.all(triggers.splice(0).map((trigger) => trigger.stop()));
        },
    };
}
