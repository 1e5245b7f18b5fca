import { memoryRuntimeSuite } from '../../../support/durable/memory-suite';

memoryRuntimeSuite(false);
