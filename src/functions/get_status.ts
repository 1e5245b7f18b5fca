import { app } from '@azure/functions';
import * as df from 'durable-functions';
import { publicRouteAuthLevel } from '../http/auth-level';
import { getInstanceStatus } from '../http/get-status';

// GET /api/orchestrations/{instance_id}/status: a small, stable status view (the Durable API's own
// statusQueryGetUri stays available for the full one). Keyed like the starter (src/http/auth-level.ts).
app.http('get_status', {
    route: 'orchestrations/{instance_id}/status',
    methods: ['GET'],
    authLevel: publicRouteAuthLevel(),
    extraInputs: [df.input.durableClient()],
    handler: (request, context) => getInstanceStatus(request, df.getClient(context), context),
});
