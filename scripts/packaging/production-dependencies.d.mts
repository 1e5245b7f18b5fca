export interface ProductionPackage {
    /** Path relative to the project root, e.g. `node_modules/durable-functions/node_modules/uuid`. */
    path: string;
    name: string;
    version: string;
}
export function listProductionPackages(projectRoot: string): ProductionPackage[];
