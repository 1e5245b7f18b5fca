import type { KeyRegister, OrderLedger } from '../orders/ledger';
import { tableClientFactory } from './table-connection';
import { createTableKeyRegister, createTableLedger } from './table-ledger';
import { orderTableNames } from './table-names';

/**
 * The app's ledger and test-gateway tables, configured from the environment on first use (not at load: the
 * Functions worker loads every function file before the app settings matter, and a module that throws at
 * load takes every function down with it). One instance per process.
 */
let ledger: OrderLedger | undefined;
let keys: KeyRegister | undefined;

function appLedger(): OrderLedger {
    ledger ??= createTableLedger(tableClientFactory(), orderTableNames());
    return ledger;
}

function appKeys(): KeyRegister {
    keys ??= createTableKeyRegister(tableClientFactory(), orderTableNames());
    return keys;
}

export function orderLedger(): OrderLedger {
    return {
        find: (orderKey, kind) => appLedger().find(orderKey, kind),
        recordOnce: (orderKey, orderId, record) => appLedger().recordOnce(orderKey, orderId, record),
        appendNotification: (orderKey, orderId, record) => appLedger().appendNotification(orderKey, orderId, record),
        read: (orderKey) => appLedger().read(orderKey),
    };
}

export function testGatewayKeys(): KeyRegister {
    return { registerFirstUse: (key) => appKeys().registerFirstUse(key) };
}
