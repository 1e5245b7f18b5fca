/**
 * `%Name%` references in host.json and binding options are app settings, resolved from the environment the
 * way the Functions host's name resolver does. An unknown setting is an error, not an empty string, so a
 * typo in host.json fails loudly at start instead of silently picking another task hub.
 */
export function resolveSettingReferences(value: string, env: NodeJS.ProcessEnv = process.env): string {
    return value.replace(/%([^%]+)%/g, (_match, name: string) => {
        const resolved = env[name];
        if (resolved === undefined) throw new Error(`App setting '${name}' is referenced as %${name}% but is not set.`);
        return resolved;
    });
}
