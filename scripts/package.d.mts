export const SHIPPED_TOP_LEVEL: readonly string[];

export interface PackageSummary {
    /** Absolute path of the deployment zip. */
    zip: string;
    /** Absolute path of the staged tree azd deploys; holds exactly the zip's files. */
    stagedDirectory: string;
    files: number;
    contentBytes: number;
    zipBytes: number;
    /** package.json `main`, the glob the Functions worker loads. */
    main: string;
    /** Packaged files matched by `main`. */
    functionFiles: string[];
    productionPackages: number;
    /** The Durable backend the package's host.json names. */
    durableBackend: 'azureStorage' | 'durableTaskScheduler';
}

export const SCHEDULER_CONNECTION_SETTING: string;

export function hostJsonFor(data: Uint8Array, backend: 'azureStorage' | 'durableTaskScheduler'): Uint8Array;

export function packageApp(options?: {
    projectRoot?: string;
    outDir?: string;
    durableBackend?: string;
}): PackageSummary;
