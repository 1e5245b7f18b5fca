import { memoryRuntimeSuite } from '../support/memory-suite';

memoryRuntimeSuite(false);
