/* eslint-disable import-x/order -- the fake @azure/functions-core must be installed before any other import runs. */
// The fake `@azure/functions-core` must be in place before anything can require `@azure/functions`.
import { installCoreModule } from './host/worker/core-module';
installCoreModule();

import path from 'node:path';
import { enabledExtensions } from './default-extensions';
import { loadFunctionKeys } from './host/http/function-keys';
import { PortInUseError, startHost, UnsupportedBindingsError, type RunningHost } from './host/start-host';
import { createConsoleLogger } from './host/console-logger';
import { applyLocalSettings, readLocalSettings } from './host/worker/local-settings';
import { ensureDevelopmentStorage, type DevStorageResult } from './host/local-storage/dev-storage';
import { errorMessage } from './shared/errors';

const USAGE = 'Usage: devhost start [appDir] [--port N] [--enable-auth] [--allow-unsupported]';
const DEFAULT_PORT = 7071;

interface StartArgs {
    appDir: string;
    port: number | undefined;
    /** Run an app even if some of its triggers or bindings are not implemented here (each is a warning). */
    allowUnsupported: boolean;
    /** Check function keys on keyed routes, as `func start --enableAuth` does; off by default, as in Core Tools. */
    enableAuth: boolean;
}

class UsageError extends Error {}

function parsePort(text: string | undefined): number {
    const port = Number(text);
    if (text === undefined || !/^\d+$/.test(text) || port > 65535)
        throw new UsageError(`Invalid port '${text ?? ''}'.`);
    return port;
}

function parseStartArgs(args: readonly string[]): StartArgs {
    let appDir: string | undefined;
    let port: number | undefined;
    let allowUnsupported = false;
    let enableAuth = false;
    for (let i = 0; i < args.length; i++) {
        const arg = args[i] ?? '';
        if (arg === '--allow-unsupported') allowUnsupported = true;
        else if (arg === '--enable-auth' || arg === '--enableAuth') enableAuth = true;
        else if (arg === '--port' || arg === '-p') port = parsePort(args[++i]);
        else if (arg.startsWith('--port=')) port = parsePort(arg.slice('--port='.length));
        else if (arg.startsWith('-')) throw new UsageError(`Unknown option '${arg}'.`);
        else if (appDir === undefined) appDir = arg;
        else throw new UsageError(`Unexpected argument '${arg}'.`);
    }
    return { appDir: path.resolve(appDir ?? '.'), port, allowUnsupported, enableAuth };
}

async function start(args: StartArgs): Promise<void> {
    const logger = createConsoleLogger();
    const settings = await readLocalSettings(args.appDir);
    const port = args.port ?? settings?.Host?.LocalHttpPort ?? DEFAULT_PORT;
    // Core Tools applies local settings before anything else, so storage is known before the host starts.
    applyLocalSettings(settings, process.env);
    // Keys are read after local settings, so DEVHOST_FUNCTION_KEYS may live in local.settings.json.
    const functionKeys = args.enableAuth ? await loadFunctionKeys(args.appDir, process.env) : undefined;
    const storage: DevStorageResult = await ensureDevelopmentStorage(args.appDir, process.env);
    logger.info(storage.description);
    let host: RunningHost;
    try {
        host = await startHost({
            appDir: args.appDir,
            port,
            extensions: enabledExtensions(),
            logger,
            allowUnsupported: args.allowUnsupported,
            functionKeys,
        });
    } catch (error) {
        await storage.azurite?.stop();
        if (error instanceof PortInUseError || error instanceof UnsupportedBindingsError) {
            process.stderr.write(`${error.message}\n`);
            process.exit(1);
        }
        throw error;
    }
    let stopping = false;
    const stop = (signal: string): void => {
        if (stopping) return;
        stopping = true;
        logger.info(`${signal} received, stopping the host...`);
        // The runtime's background timers are unref'd (they must not keep a running host alive); while it
        // stops, this one does, or Node would exit midway with the hand-over half done.
        const keepAlive = setInterval(() => undefined, 1_000);
        host.close()
            .finally(() => storage.azurite?.stop())
            .finally(() => clearInterval(keepAlive))
            .then(
                () => process.exit(0),
                (error: unknown) => {
                    logger.error(`Stopping failed: ${errorMessage(error)}`);
                    process.exit(1);
                },
            );
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
    logger.info(`Host started: http://localhost:${host.port}`);
}

const UNREACHABLE = /\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET)\b/;

/** One line a person can act on; a network failure at start-up is almost always the storage connection. */
function describeStartFailure(error: unknown): string {
    const message = errorMessage(error);
    const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
    if (UNREACHABLE.test(code) || UNREACHABLE.test(message)) {
        return (
            `storage is unreachable (${message}). Check AzureWebJobsStorage, or use ` +
            `"UseDevelopmentStorage=true" and let the devhost start Azurite.`
        );
    }
    return message;
}

async function main(argv: readonly string[]): Promise<void> {
    const [command, ...rest] = argv;
    if (command !== 'start')
        throw new UsageError(command === undefined ? 'Missing command.' : `Unknown command '${command}'.`);
    await start(parseStartArgs(rest));
}

main(process.argv.slice(2)).catch((error: unknown) => {
    if (error instanceof UsageError) {
        process.stderr.write(`${error.message}\n${USAGE}\n`);
        process.exit(2);
    }
    process.stderr.write(`devhost: ${describeStartFailure(error)}\n`);
    process.exit(1);
});
