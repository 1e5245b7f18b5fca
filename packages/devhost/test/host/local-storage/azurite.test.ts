import { TableClient } from '@azure/data-tables';
import { describe, expect, it } from 'vitest';
import { azuriteConnectionString, uniqueHubName } from '../../support/storage';

describe('shared Azurite', () => {
    it('accepts a table round trip on its random port', async () => {
        const table = TableClient.fromConnectionString(azuriteConnectionString(), uniqueHubName('Smoke'), {
            allowInsecureConnection: true,
        });
        await table.createTable();
        await table.upsertEntity({ partitionKey: 'p', rowKey: 'r', value: 'v' });
        const row = await table.getEntity<{ value: string }>('p', 'r');
        expect(row.value).toBe('v');
        await table.deleteTable();
    });
});
