/** Query values read the way the extension's TryGet*QueryParameterValue helpers read them. */

/** bool.TryParse: "true"/"false" in any case, surrounding spaces allowed; anything else → the default. */
export function booleanParam(params: URLSearchParams, name: string, fallback: boolean): boolean {
    const value = params.get(name)?.trim().toLowerCase();
    if (value === 'true') return true;
    if (value === 'false') return false;
    return fallback;
}

/** double.TryParse of seconds → milliseconds, or undefined. */
export function secondsParam(params: URLSearchParams, name: string): number | undefined {
    const value = params.get(name);
    if (value === null || value.trim() === '') return undefined;
    const seconds = Number(value);
    return Number.isFinite(seconds) ? seconds * 1000 : undefined;
}
