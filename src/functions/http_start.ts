import * as df from 'durable-functions';
import { publicRouteAuthLevel } from '../http/auth-level';
import { startOrchestration } from '../http/start-orchestration';

// POST /api/orchestrations/{function_name}: the public way in. A function key is required unless HTTP_AUTH_LEVEL
// says otherwise (src/http/auth-level.ts).
df.app.client.http('http_start', {
    route: 'orchestrations/{function_name}',
    methods: ['POST'],
    authLevel: publicRouteAuthLevel(),
    handler: startOrchestration,
});
