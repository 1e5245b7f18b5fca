// Purge by filter: the list's status and created-time filter, sent to the Durable HTTP API's purge-many
// (DELETE .../instances/?createdTimeFrom&createdTimeTo&runtimeStatus, which reads nothing else). The dialog
// counts what that query matches first and says the number; an open-ended "created to" is fixed at the moment
// of counting, so instances started while the dialog is open are not purged unseen.
import { countMatching, purgeQuery, purgeWhere } from './api.js';
import { confirmAction } from './dialogs.js';
import { ACTIVE_STATUSES, formatDateTime, STATUSES } from './dom.js';

/** Why the list's filter cannot be purged as it stands, or undefined when it can. */
export function purgeBlocker(filter) {
    const unsupported = [
        filter.name && 'orchestrator name',
        filter.prefix && 'instance id prefix',
        filter.version && 'version',
    ].filter(Boolean);
    if (unsupported.length === 0) return undefined;
    return (
        `Purge by filter uses status and created time only (the Durable HTTP API's purge has no other filter); ` +
        `clear the ${unsupported.join(', ')} filter${unsupported.length === 1 ? '' : 's'} to purge.`
    );
}

function describeRange(fromIso, toIso) {
    return fromIso
        ? `created from ${formatDateTime(fromIso)} to ${formatDateTime(toIso)}`
        : `created up to ${formatDateTime(toIso)}`;
}

/**
 * Counts, then asks. `done(message)` reports the outcome (the page shows it and refreshes); `onError` shows a
 * failure to count.
 */
export async function openPurgeDialog(filter, done, onError) {
    const fromIso = filter.from ? new Date(filter.from).toISOString() : undefined;
    const toIso = filter.to ? new Date(filter.to).toISOString() : new Date().toISOString();
    const query = purgeQuery({ status: filter.status, fromIso, toIso });
    let counted;
    try {
        counted = await countMatching(query);
    } catch (error) {
        onError(error);
        return;
    }
    const scope = `${filter.status ? `${filter.status} instances` : 'Instances of any status'} ${describeRange(fromIso, toIso)}`;
    if (counted.total === 0) {
        done(`Nothing to purge: no ${scope.charAt(0).toLowerCase()}${scope.slice(1)}.`);
        return;
    }
    const plural = counted.total === 1 ? 'instance' : 'instances';
    const breakdown = STATUSES.filter((status) => counted.byStatus[status])
        .map((status) => `${counted.byStatus[status]} ${status}`)
        .join(', ');
    const active = [...ACTIVE_STATUSES].reduce((sum, status) => sum + (counted.byStatus[status] ?? 0), 0);
    confirmAction({
        title: `Purge ${counted.total} ${plural}?`,
        text:
            `This deletes ${counted.total} ${plural} (${breakdown}) with their history: ${scope}. ` +
            (active > 0 ? `${active} of them have not finished. ` : '') +
            'It cannot be undone.',
        confirmLabel: `Purge ${counted.total} ${plural}`,
        danger: true,
        run: async () => {
            const deleted = await purgeWhere(query);
            done(
                `Purged ${deleted} instance${deleted === 1 ? '' : 's'}` +
                    (deleted === counted.total ? '.' : ` (${counted.total} matched when counted).`),
            );
        },
    });
}
