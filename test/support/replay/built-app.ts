/**
 * The app as it ships, loaded for replay tests: every file of the built `dist/src/functions/` is required
 * under the engine tests' `@azure/functions-core` stub (devhost/testing, sdk-host.ts), so
 * the orchestrators and activities these tests drive are the registrations the package.json `main` glob
 * hands the Functions host, not the TypeScript sources. `npm test` builds first; a stale or missing build is
 * reported instead of silently testing old code.
 */
import { readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { OrchestrationBindingPayload, InvokeOrchestrator } from 'devhost/engine';
import { loadDurableFunctions, registeredNames, sdkInvoker } from 'devhost/testing';
import { newestModification } from '../app/newest-modification';

const root = process.cwd();
const builtFunctions = path.join(root, 'dist', 'src', 'functions');
const sourceRoot = path.join(root, 'src');

/** Outcome of one real activity invocation, as the activity dispatcher turns it into TaskCompleted/TaskFailed. */
export type ActivityOutcome = { ok: true; value: unknown } | { ok: false; message: string; stack?: string };

export interface BuiltApp {
    /** Calls captured orchestration handlers the way the worker does (for runEpisode). */
    readonly invokeOrchestrator: InvokeOrchestrator;
    /** Calls a captured activity handler with its trigger input; the answer crosses a JSON boundary. */
    runActivity(name: string, input: unknown): Promise<ActivityOutcome>;
    readonly functionNames: readonly string[];
}

function builtFiles(): string[] {
    let names: string[];
    try {
        names = readdirSync(builtFunctions).filter((name) => name.endsWith('.js'));
    } catch {
        throw new Error(`No built app in ${builtFunctions}: run \`npm run build\` (npm test does it) first.`);
    }
    if (names.length === 0) throw new Error(`No built functions in ${builtFunctions}: run \`npm run build\` first.`);
    const oldestBuild = Math.min(...names.map((name) => statSync(path.join(builtFunctions, name)).mtimeMs));
    if (newestModification(sourceRoot) > oldestBuild) {
        throw new Error(
            `The build in ${builtFunctions} is older than src/: run \`npm run build\` so the app under test is what ships.`,
        );
    }
    return names;
}

let loaded: BuiltApp | undefined;

/** Loads the built app once per test process (registrations are per process). */
export function loadBuiltApp(): BuiltApp {
    if (loaded) return loaded;
    loadDurableFunctions();
    const requireFromRoot = createRequire(path.join(root, 'package.json'));
    for (const file of builtFiles()) requireFromRoot(path.join(builtFunctions, file));

    const invokeCaptured = sdkInvoker();
    loaded = {
        invokeOrchestrator: invokeCaptured,
        async runActivity(name, input) {
            // The harness's invoker calls any captured handler with (trigger input, InvocationContext); for an
            // activity the trigger input is the activity's input, not an orchestration binding payload.
            const answer = await invokeCaptured(name, input as OrchestrationBindingPayload);
            if (answer.kind === 'state') return { ok: true, value: answer.state };
            return answer.stack === undefined
                ? { ok: false, message: answer.message }
                : { ok: false, message: answer.message, stack: answer.stack };
        },
        functionNames: registeredNames(),
    };
    return loaded;
}
