/** The worker's `Disposable`: what `registerFunction` and `registerHook` return so callers can undo them. */
export class Disposable {
    static from(...items: { dispose(): unknown }[]): Disposable {
        return new Disposable(() => {
            for (const item of items) item.dispose();
        });
    }

    #callOnDispose: (() => unknown) | undefined;

    constructor(callOnDispose: () => unknown) {
        this.#callOnDispose = callOnDispose;
    }

    /** Idempotent: a second call does nothing. */
    dispose(): void {
        const callback = this.#callOnDispose;
        this.#callOnDispose = undefined;
        callback?.();
    }
}
