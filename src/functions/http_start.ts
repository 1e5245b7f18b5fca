import * as df from 'durable-functions';
import { startOrchestration } from '../http/start-orchestration';

// POST /api/orchestrations/{function_name}: the public way in. Anonymous like the official quickstarts;
// put the app behind App Service authentication (or use function keys) before exposing it.
df.app.client.http('http_start', {
    route: 'orchestrations/{function_name}',
    methods: ['POST'],
    authLevel: 'anonymous',
    handler: startOrchestration,
});
