import * as df from 'durable-functions';
import { OrchestratorNames } from '../workflows/names';
import { parallelProcessing } from '../workflows/parallel-processing';

df.app.orchestration(OrchestratorNames.parallelProcessing, parallelProcessing);
