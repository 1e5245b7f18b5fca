import { provideAzurite } from 'devhost/testing';

export default provideAzurite;

declare module 'vitest' {
    export interface ProvidedContext {
        azuriteConnectionString: string;
    }
}
