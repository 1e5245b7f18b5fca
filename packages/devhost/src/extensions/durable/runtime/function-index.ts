/** The app's durable functions by trigger type, with the binding name each trigger value must be sent under. */
import type { LoadedApp } from '../../../shared/host-contracts';
import { FunctionNameMap } from './function-names';

export interface DurableFunctionIndex {
    /** Orchestrator name → orchestrationTrigger binding name (names ignore case, as in the extension). */
    orchestrators: FunctionNameMap<string>;
    /** Activity name → activityTrigger binding name. */
    activities: FunctionNameMap<string>;
    entities: FunctionNameMap<string>;
}

export function indexDurableFunctions(app: LoadedApp): DurableFunctionIndex {
    const orchestrators = new FunctionNameMap<string>();
    const activities = new FunctionNameMap<string>();
    const entities = new FunctionNameMap<string>();
    for (const fn of app.functions.values()) {
        const type = fn.trigger.binding.type;
        if (type === 'orchestrationTrigger') orchestrators.set(fn.name, fn.trigger.name);
        else if (type === 'activityTrigger') activities.set(fn.name, fn.trigger.name);
        else if (type === 'entityTrigger') entities.set(fn.name, fn.trigger.name);
    }
    return { orchestrators, activities, entities };
}
