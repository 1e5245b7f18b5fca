import { app } from '@azure/functions';
import * as df from 'durable-functions';
import { publicRouteAuthLevel } from '../http/auth-level';
import { getOrder } from '../http/get-order';
import { orderLedger } from '../ledger/app-tables';

const ledger = orderLedger();

// GET /api/orders/{order_id}: an order's status, outcome and ledger (charges, refunds, shipment, notifications).
app.http('get_order', {
    route: 'orders/{order_id}',
    methods: ['GET'],
    authLevel: publicRouteAuthLevel(),
    extraInputs: [df.input.durableClient()],
    handler: (request, context) => getOrder(request, df.getClient(context), ledger, context),
});
