import * as df from 'durable-functions';
import { ActivityNames } from '../workflows/names';
import { processItem } from '../workflows/process-item';

df.app.activity(ActivityNames.processItem, { handler: processItem });
