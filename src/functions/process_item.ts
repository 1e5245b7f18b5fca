import * as df from 'durable-functions';
import { processItem } from '../activities/process-item';
import { ActivityNames } from '../contracts/names';

df.app.activity(ActivityNames.processItem, { handler: processItem });
