import { provideAzurite } from '../../src/testing/azurite-for-tests';

export default provideAzurite;

declare module 'vitest' {
    export interface ProvidedContext {
        azuriteConnectionString: string;
    }
}
