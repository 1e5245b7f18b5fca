/**
 * The orchestrators the app registered, for the viewer's "Start an instance" dialog: the names as the app
 * registered them (the Durable HTTP API starts any name, and an unregistered one would only wait on the queue),
 * and this host's default orchestration version, which a start without `?version=` gets.
 */
import type { DurableRuntime } from '../durable/runtime/durable-runtime';

export interface OrchestratorList {
    orchestrators: Array<{ name: string }>;
    /** The host's defaultVersion ('' when it has none). */
    defaultVersion: string;
}

export function listOrchestrators(runtime: Pick<DurableRuntime, 'functions' | 'versionGate'>): OrchestratorList {
    const names = [...runtime.functions.orchestrators.keys()].sort((a, b) => a.localeCompare(b));
    return {
        orchestrators: names.map((name) => ({ name })),
        defaultVersion: runtime.versionGate.config.defaultVersion,
    };
}
