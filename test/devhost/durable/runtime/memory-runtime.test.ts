import { memoryRuntimeSuite } from '../support/memory-suite';

memoryRuntimeSuite(true);
