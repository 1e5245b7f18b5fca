import * as df from 'durable-functions';
import { OrchestratorNames } from '../workflows/names';
import { orderProcessing } from '../workflows/order-processing';

df.app.orchestration(OrchestratorNames.orderProcessing, orderProcessing);
