import net from 'node:net';
import path from 'node:path';
import { DEFAULT_AZURITE_PORTS, startAzurite, type RunningAzurite } from './azurite';

export interface DevStorageResult {
    /** Set when this process started Azurite and must stop it on exit. */
    azurite?: RunningAzurite;
    /** What happened, for the start-up banner. */
    description: string;
}

/** `UseDevelopmentStorage=true` (any case, optional spaces/semicolon) means the local emulator. */
export function usesDevelopmentStorage(connection: string | undefined): boolean {
    return /^\s*UseDevelopmentStorage\s*=\s*true\s*;?\s*$/i.test(connection ?? '');
}

/** True when something accepts TCP connections on the port (an emulator started by someone else). */
export function isPortOpen(port: number, host = '127.0.0.1', timeoutMs = 300): Promise<boolean> {
    return new Promise((resolve) => {
        const socket = net.connect({ port, host });
        const done = (open: boolean): void => {
            socket.destroy();
            resolve(open);
        };
        socket.setTimeout(timeoutMs, () => done(false));
        socket.once('connect', () => done(true));
        socket.once('error', () => done(false));
    });
}

/**
 * What `npm start` does for storage: with `UseDevelopmentStorage=true` and no emulator answering on the
 * standard ports, start Azurite from node_modules with its state under `<appDir>/.azurite`, so instances
 * survive a restart. A real connection string, or an emulator that is already up, is left alone.
 */
export async function ensureDevelopmentStorage(appDir: string, env: NodeJS.ProcessEnv): Promise<DevStorageResult> {
    if (!usesDevelopmentStorage(env.AzureWebJobsStorage)) {
        return { description: 'Storage: AzureWebJobsStorage (not the local emulator)' };
    }
    const open = await Promise.all(Object.values(DEFAULT_AZURITE_PORTS).map((p) => isPortOpen(p)));
    if (open.every(Boolean)) {
        return { description: 'Storage: a storage emulator is already running on 127.0.0.1:10000-10002' };
    }
    if (open.some(Boolean)) {
        const busy = Object.values(DEFAULT_AZURITE_PORTS).filter((_, i) => open[i]);
        throw new Error(
            `Port(s) ${busy.join(', ')} are in use, but not all of 10000-10002 answer, so no complete storage ` +
                `emulator runs there. Stop whatever uses them, or set AzureWebJobsStorage to a connection string.`,
        );
    }
    const location = path.join(appDir, '.azurite');
    const azurite = await startAzurite({ location, ports: { ...DEFAULT_AZURITE_PORTS } });
    return { azurite, description: `Storage: Azurite started for you (state in ${location})` };
}
