import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { errorMessage } from '../../shared/errors';
import type {
    BindingInfo,
    HostLogger,
    InvocationOutcome,
    InvokeRequest,
    LoadedApp,
    RegisteredFunction,
} from '../../shared/host-contracts';
import { readAppManifest, readHostJson } from './app-manifest';
import { coreState, defaultWorkerCapabilities, installCoreModule, type Registration } from './core-module';
import type { AppStartHookContext, AppTerminateHookContext, WorkerCapabilities } from './core-types';
import { findFiles } from './glob';
import { invokeRegistration } from './invoke';
import { applyLocalSettings, readLocalSettings } from './local-settings';
import { noEntryFilesMessage } from './v3-app';

export interface LoadAppOptions {
    /** Receives every log line: `context.log` (category `user`, with function name and invocation id) and system logs. */
    logger?: HostLogger;
    /** The environment local.settings.json `Values` are merged into; `process.env` by default. */
    env?: NodeJS.ProcessEnv;
    /**
     * Registers the app's functions in this process instead of loading package.json `main` (the testing
     * toolkit's `register`): called once per process; `appDir` then only supplies host.json, if it has one.
     */
    register?: () => unknown;
    /** Changes host.json as read (a test host with other Durable settings than the app's file). */
    hostJson?: (hostJson: DevhostApp['hostJson']) => DevhostApp['hostJson'];
}

/** A loaded app plus what only the devhost's own parts need. */
export interface DevhostApp extends LoadedApp {
    /** Capabilities returned by the programming model (e.g. `HttpUri` when the app enabled HTTP streaming). */
    readonly capabilities: Readonly<WorkerCapabilities>;
    /** The library's HTTP proxy when `app.setup({ enableHttpStream: true })` is on. */
    readonly httpStreamUri: string | undefined;
    /** The files loaded from package.json `main`, in load order. */
    readonly entryFiles: readonly string[];
}

/** The app this process loaded: its registrations stay in `@azure/functions` for the life of the process. */
let loaded: { appDir: string; hostJson: DevhostApp['hostJson']; entryFiles: readonly string[] } | undefined;
let loadStarted = false;

/**
 * Loads a v4 app as the Node worker does at start-up: fake core module, local settings, every file of
 * package.json `main`, appStart hooks, `getCapabilities` (which locks `app.setup`), then registration is locked.
 * `@azure/functions` keeps module-level state, so a process can load one app only; loading the same folder
 * again (another host for it after the first closed, as the testing toolkit does) reuses its registrations.
 */
export async function loadApp(appDir: string, options: LoadAppOptions = {}): Promise<DevhostApp> {
    installCoreModule();
    const absoluteAppDir = path.resolve(appDir);
    const env = options.env ?? process.env;
    const logger = options.logger;
    const adjusted = options.hostJson ?? ((hostJson: DevhostApp['hostJson']) => hostJson);
    const key = options.register ? `register:${absoluteAppDir}` : absoluteAppDir;
    if (loaded !== undefined && loaded.appDir === key) {
        if (logger) coreState.logSink = (entry) => logger.log(entry);
        applyLocalSettings(await readLocalSettings(absoluteAppDir), env);
        return startLoadedApp(absoluteAppDir, adjusted(loaded.hostJson), loaded.entryFiles);
    }
    if (loadStarted)
        throw new Error('This process already loaded a function app; the devhost hosts one app per process.');
    loadStarted = true;

    if (logger) coreState.logSink = (entry) => logger.log(entry);

    applyLocalSettings(await readLocalSettings(absoluteAppDir), env);
    if (options.register) return registerInProcess(absoluteAppDir, key, options.register, adjusted);
    const manifest = await readAppManifest(absoluteAppDir);
    const entryFiles = await findFiles(absoluteAppDir, manifest.mainGlob);
    if (entryFiles.length === 0) {
        throw new Error(await noEntryFilesMessage(absoluteAppDir, manifest.mainGlob));
    }

    // Rooted at the app so its own node_modules resolve first (the app's @azure/functions, not ours).
    const appRequire = createRequire(path.join(absoluteAppDir, 'package.json'));
    for (const file of entryFiles) {
        try {
            if (isEsm(file, manifest.jsIsEsm)) await import(pathToFileURL(file).href);
            else appRequire(file);
        } catch (error) {
            throw new Error(
                `Worker was unable to load entry point "${path.relative(absoluteAppDir, file)}": ${errorMessage(error)}`,
                {
                    cause: error,
                },
            );
        }
    }
    loaded = { appDir: absoluteAppDir, hostJson: manifest.hostJson, entryFiles };
    return startLoadedApp(absoluteAppDir, adjusted(manifest.hostJson), entryFiles);
}

/** The app's functions from a function of the caller's, with the folder's host.json when there is one. */
async function registerInProcess(
    absoluteAppDir: string,
    key: string,
    register: () => unknown,
    adjusted: (hostJson: DevhostApp['hostJson']) => DevhostApp['hostJson'],
): Promise<DevhostApp> {
    const hostJson = await readHostJson(absoluteAppDir);
    try {
        await register();
    } catch (error) {
        throw new Error(`The register function threw: ${errorMessage(error)}`, { cause: error });
    }
    loaded = { appDir: key, hostJson, entryFiles: [] };
    return startLoadedApp(absoluteAppDir, adjusted(hostJson), []);
}

/** The loaded app's start: appStart hooks, capabilities (which lock registration), the functions. */
async function startLoadedApp(
    absoluteAppDir: string,
    hostJson: DevhostApp['hostJson'],
    entryFiles: readonly string[],
): Promise<DevhostApp> {
    const appStartContext: AppStartHookContext = {
        hookData: coreState.appLevelHookData,
        appHookData: coreState.appHookData,
        functionAppDirectory: absoluteAppDir,
    };
    await coreState.hooks.run('appStart', appStartContext);

    const model = coreState.programmingModel;
    const capabilities = model?.getCapabilities
        ? await model.getCapabilities(defaultWorkerCapabilities())
        : defaultWorkerCapabilities();
    coreState.registrationLocked = true;

    const functions = new Map<string, RegisteredFunction>();
    for (const registration of coreState.registrations.values()) {
        functions.set(registration.metadata.name, describeRegistration(registration));
    }

    let terminated = false;
    return {
        appDir: absoluteAppDir,
        hostJson,
        functions,
        capabilities,
        httpStreamUri: capabilities.HttpUri,
        entryFiles,
        invoke: (request) => invokeByName(request),
        async terminate() {
            if (terminated) return;
            terminated = true;
            const context: AppTerminateHookContext = {
                hookData: coreState.appLevelHookData,
                appHookData: coreState.appHookData,
            };
            await coreState.hooks.run('appTerminate', context);
        },
    };
}

async function invokeByName(request: InvokeRequest): Promise<InvocationOutcome> {
    const registration = [...coreState.registrations.values()].find((r) => r.metadata.name === request.functionName);
    if (!registration) {
        return {
            status: 'failure',
            invocationId: request.invocationId ?? '',
            message: `Function '${request.functionName}' is not registered.`,
        };
    }
    const started = Date.now();
    const outcome = await invokeRegistration(registration, request);
    const duration = Date.now() - started;
    const verdict = outcome.status === 'success' ? 'Succeeded' : 'Failed';
    coreState.logSink({
        level: outcome.status === 'success' ? 'debug' : 'error',
        category: 'host',
        message:
            `Executed 'Functions.${request.functionName}' (${verdict}, Id=${outcome.invocationId}, Duration=${duration}ms)` +
            (outcome.status === 'failure' ? ` ${outcome.stack ?? outcome.message}` : ''),
        functionName: request.functionName,
        invocationId: outcome.invocationId,
    });
    return outcome;
}

/** Binding names come from the dictionary keys (the worker lets the key override `binding.name`). */
function describeRegistration(registration: Registration): RegisteredFunction {
    const bindings: Record<string, BindingInfo> = {};
    for (const [name, binding] of Object.entries(registration.metadata.bindings)) {
        bindings[name] = { ...binding, name };
    }
    const triggers = Object.entries(bindings).filter(([, binding]) => /trigger$/i.test(binding.type));
    const [trigger] = triggers;
    if (!trigger || triggers.length > 1) {
        throw new Error(
            `Function '${registration.metadata.name}' must have exactly one trigger binding (found ${triggers.length}).`,
        );
    }
    return { name: registration.metadata.name, bindings, trigger: { name: trigger[0], binding: trigger[1] } };
}

function isEsm(file: string, jsIsEsm: boolean): boolean {
    const extension = path.extname(file);
    return extension === '.mjs' || (extension === '.js' && jsIsEsm);
}
