import path from 'node:path';
export { captureLogger, silentLogger } from '../../../src/testing/loggers';

export function fixtureAppDir(name: string): string {
    return path.resolve(__dirname, '../../fixtures/apps', name);
}
