import type { HookCallback, HookName } from './core-types';
import { Disposable } from './disposable';

const hookNames: readonly HookName[] = ['appStart', 'appTerminate', 'preInvocation', 'postInvocation', 'log'];

function isHookName(name: string): name is HookName {
    return (hookNames as readonly string[]).includes(name);
}

/**
 * Hooks by name, run in registration order. An unknown name is a RangeError flagged as a system error,
 * because `app.hook.log` in the library relies on exactly that to tell an old host from a real failure.
 */
export class HookRegistry {
    readonly #hooks = new Map<HookName, HookCallback[]>(hookNames.map((name) => [name, []]));

    register(name: string, callback: HookCallback): Disposable {
        if (!isHookName(name)) {
            throw Object.assign(new RangeError(`Unrecognized hook "${name}"`), { isAzureFunctionsSystemError: true });
        }
        const list = this.#callbacks(name);
        list.push(callback);
        return new Disposable(() => {
            const index = list.indexOf(callback);
            if (index >= 0) list.splice(index, 1);
        });
    }

    /** Awaits each callback in turn, as the worker does; the first throw stops the chain and propagates. */
    async run(name: Exclude<HookName, 'log'>, context: object): Promise<void> {
        for (const callback of [...this.#callbacks(name)]) {
            await callback(context);
        }
    }

    /** Log hooks are synchronous: a log call cannot wait. */
    runSync(name: 'log', context: object): void {
        for (const callback of [...this.#callbacks(name)]) callback(context);
    }

    count(name: HookName): number {
        return this.#callbacks(name).length;
    }

    #callbacks(name: HookName): HookCallback[] {
        const list = this.#hooks.get(name);
        if (!list) throw new Error(`hook list missing for ${name}`);
        return list;
    }
}
