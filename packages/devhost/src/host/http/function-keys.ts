import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { errorMessage } from '../../shared/errors';

/**
 * The keys the devhost accepts when it checks keys (`devhost start --enable-auth`), in the three kinds the
 * Functions host has: the master key (admin level, any route), host function keys (function level, any
 * function) and keys of one function (function level, that function only). In Azure the host keeps them in
 * its secret store (blobs in azure-webjobs-secrets); here they come from an app setting and a local file.
 */
export interface FunctionKeys {
    readonly masterKey?: string;
    /** Key name -> value, valid for every function. */
    readonly hostKeys: ReadonlyMap<string, string>;
    /** Function name -> (key name -> value), valid for that function only. */
    readonly functionKeys: ReadonlyMap<string, ReadonlyMap<string, string>>;
    /** Where the keys came from, for the start-up line. */
    readonly sources: readonly string[];
}

/** App setting with host function keys: `value` or `name:value`, comma-separated (base64 keys hold no `:` or `,`). */
export const FUNCTION_KEYS_SETTING = 'DEVHOST_FUNCTION_KEYS';
/** App setting naming the keys file; relative paths are from the app directory. */
export const KEYS_FILE_SETTING = 'DEVHOST_KEYS_FILE';
/** The keys file read when DEVHOST_KEYS_FILE is unset. Git-ignored and kept out of the deployment package. */
export const DEFAULT_KEYS_FILE = 'local.keys.json';

const keyValue = z.string().trim().min(1, 'a key must not be empty');
const namedKeys = z.record(z.string().min(1), keyValue);
const keysFileSchema = z.strictObject({
    masterKey: keyValue.optional(),
    functionKeys: namedKeys.optional(),
    functions: z.record(z.string().min(1), namedKeys).optional(),
});

export type KeysFile = z.infer<typeof keysFileSchema>;

/** Reads the keys from the app setting and the keys file (a missing file is no keys, an invalid one an error). */
export async function loadFunctionKeys(appDir: string, env: NodeJS.ProcessEnv): Promise<FunctionKeys> {
    const hostKeys = new Map<string, string>();
    const functionKeys = new Map<string, Map<string, string>>();
    const sources: string[] = [];
    let masterKey: string | undefined;

    const configuredFile = env[KEYS_FILE_SETTING]?.trim();
    const file = path.resolve(
        appDir,
        configuredFile === undefined || configuredFile === '' ? DEFAULT_KEYS_FILE : configuredFile,
    );
    const fromFile = await readKeysFile(file, configuredFile !== undefined && configuredFile !== '');
    if (fromFile) {
        sources.push(path.relative(appDir, file) || file);
        masterKey = fromFile.masterKey;
        for (const [name, value] of Object.entries(fromFile.functionKeys ?? {})) hostKeys.set(name, value);
        for (const [functionName, keys] of Object.entries(fromFile.functions ?? {})) {
            functionKeys.set(functionName, new Map(Object.entries(keys)));
        }
    }

    const setting = env[FUNCTION_KEYS_SETTING];
    if (setting !== undefined && setting.trim() !== '') {
        sources.push(FUNCTION_KEYS_SETTING);
        for (const [name, value] of parseKeysSetting(setting)) hostKeys.set(name, value);
    }
    return { masterKey, hostKeys, functionKeys, sources };
}

/** `a1b2`, `ci:a1b2` or `a1b2,ci:c3d4`: unnamed keys are called default, default2, ... */
export function parseKeysSetting(setting: string): Map<string, string> {
    const keys = new Map<string, string>();
    let unnamed = 0;
    for (const entry of setting.split(',')) {
        const trimmed = entry.trim();
        if (trimmed === '') continue;
        const separator = trimmed.indexOf(':');
        const name = separator === -1 ? `default${++unnamed === 1 ? '' : unnamed}` : trimmed.slice(0, separator).trim();
        const value = separator === -1 ? trimmed : trimmed.slice(separator + 1).trim();
        if (name === '' || value === '') {
            throw new Error(`${FUNCTION_KEYS_SETTING} has an entry without a name or value: '${trimmed}'.`);
        }
        keys.set(name, value);
    }
    return keys;
}

/** Whether any key at all is configured; without one, every keyed route answers 401. */
export function hasAnyKey(keys: FunctionKeys): boolean {
    return keys.masterKey !== undefined || keys.hostKeys.size > 0 || keys.functionKeys.size > 0;
}

async function readKeysFile(file: string, required: boolean): Promise<KeysFile | undefined> {
    let text: string;
    try {
        text = await readFile(file, 'utf8');
    } catch (error) {
        if (!required && isNotFound(error)) return undefined;
        throw new Error(`Cannot read the keys file ${file}: ${describe(error)}`, { cause: error });
    }
    try {
        return keysFileSchema.parse(JSON.parse(text));
    } catch (error) {
        throw new Error(`The keys file ${file} is not valid: ${describe(error)}`, { cause: error });
    }
}

function describe(error: unknown): string {
    if (error instanceof z.ZodError) {
        return error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
    }
    return errorMessage(error);
}

function isNotFound(error: unknown): boolean {
    return typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT';
}
