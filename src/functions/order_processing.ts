import * as df from 'durable-functions';
import { OrchestratorNames } from '../contracts/names';
import { orderProcessing } from '../orchestrators/order-processing';

df.app.orchestration(OrchestratorNames.orderProcessing, orderProcessing);
