/** The app's durable functions by trigger type, with the binding name each trigger value must be sent under. */
import type { LoadedApp } from '../../contracts/host';

export interface DurableFunctionIndex {
    /** Orchestrator name → orchestrationTrigger binding name. */
    orchestrators: ReadonlyMap<string, string>;
    /** Activity name → activityTrigger binding name. */
    activities: ReadonlyMap<string, string>;
    entities: ReadonlyMap<string, string>;
}

export function indexDurableFunctions(app: LoadedApp): DurableFunctionIndex {
    const orchestrators = new Map<string, string>();
    const activities = new Map<string, string>();
    const entities = new Map<string, string>();
    for (const fn of app.functions.values()) {
        const type = fn.trigger.binding.type;
        if (type === 'orchestrationTrigger') orchestrators.set(fn.name, fn.trigger.name);
        else if (type === 'activityTrigger') activities.set(fn.name, fn.trigger.name);
        else if (type === 'entityTrigger') entities.set(fn.name, fn.trigger.name);
    }
    return { orchestrators, activities, entities };
}
