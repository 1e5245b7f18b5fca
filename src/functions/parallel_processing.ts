import * as df from 'durable-functions';
import { OrchestratorNames } from '../contracts/names';
import { parallelProcessing } from '../orchestrators/parallel-processing';
import { parallelProcessingBatch } from '../orchestrators/parallel-processing-batch';

df.app.orchestration(OrchestratorNames.parallelProcessing, parallelProcessing);
df.app.orchestration(OrchestratorNames.parallelProcessingBatch, parallelProcessingBatch);
