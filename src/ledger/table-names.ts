/**
 * The app's own tables (never the task hub's), named from `ORDERS_TABLE_PREFIX` (default `Orders`) so that
 * several copies of the app, or tests, can share one storage account: `<prefix>Ledger` holds the order
 * ledger, `<prefix>TestGateway` the idempotency keys the test-mode payment gateway has seen.
 */
export interface OrderTableNames {
    readonly ledger: string;
    readonly testGateway: string;
}

const PREFIX_SETTING = 'ORDERS_TABLE_PREFIX';

export function orderTableNames(env: NodeJS.ProcessEnv = process.env): OrderTableNames {
    const prefix = env[PREFIX_SETTING]?.trim() || 'Orders';
    // Table names: letters and digits, starting with a letter, 3-63 characters.
    if (!/^[A-Za-z][A-Za-z0-9]{0,40}$/.test(prefix)) {
        throw new Error(`${PREFIX_SETTING} '${prefix}' must be letters and digits, start with a letter, at most 41.`);
    }
    return { ledger: `${prefix}Ledger`, testGateway: `${prefix}TestGateway` };
}
