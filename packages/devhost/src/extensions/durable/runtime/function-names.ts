/**
 * Durable function names compare ignoring case, as the extension's FunctionName does (Equals and GetHashCode
 * with StringComparer.OrdinalIgnoreCase, azure-functions-durable-extension src/WebJobs.Extensions.DurableTask/
 * FunctionName.cs): `callActivity('SayHello')` finds `sayHello`, and so does `POST orchestrators/SAYHELLO`.
 * Keys stay as registered (listings, invocations); lookups fold case.
 */
function fold(name: string): string {
    return name.toLowerCase();
}

/** name → value, looked up ignoring case; `keys()` and iteration give the registered names. */
export class FunctionNameMap<V> extends Map<string, V> {
    readonly #registered = new Map<string, string>();

    override set(name: string, value: V): this {
        const previous = this.#registered.get(fold(name));
        if (previous !== undefined && previous !== name) super.delete(previous);
        this.#registered.set(fold(name), name);
        return super.set(name, value);
    }

    override get(name: string): V | undefined {
        const registered = this.registeredName(name);
        return registered === undefined ? undefined : super.get(registered);
    }

    override has(name: string): boolean {
        return this.registeredName(name) !== undefined;
    }

    override delete(name: string): boolean {
        const registered = this.registeredName(name);
        if (registered === undefined) return false;
        this.#registered.delete(fold(name));
        return super.delete(registered);
    }

    /** The name as the app registered it, for a name in any case. */
    registeredName(name: string): string | undefined {
        return this.#registered.get(fold(name));
    }
}

/** A set of function names whose `has` ignores case. */
export class FunctionNameSet extends Set<string> {
    readonly #folded = new Set<string>();

    // Filled after super(): the base constructor would call `add` before the private field exists.
    constructor(names: Iterable<string> = []) {
        super();
        for (const name of names) this.add(name);
    }

    override add(name: string): this {
        this.#folded.add(fold(name));
        return super.add(name);
    }

    override has(name: string): boolean {
        return this.#folded.has(fold(name));
    }
}
