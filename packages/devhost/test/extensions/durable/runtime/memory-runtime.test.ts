import { memoryRuntimeSuite } from '../../../support/durable/memory-suite';

memoryRuntimeSuite(true);
