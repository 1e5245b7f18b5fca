// Entry point: the devhost serves this one shell for /_devhost/, /_devhost/instances/{id} and
// /_devhost/entities[/{id}]; the path decides the page, so every instance and entity has a deep link to share.
import { renderEntitiesPage, renderEntityPage } from './entities-page.js';
import { renderInstancePage } from './instance-page.js';
import { renderListPage } from './list-page.js';

const main = document.getElementById('main');
const match = /^\/_devhost\/instances\/([^/]+)$/.exec(location.pathname);
const entityMatch = /^\/_devhost\/entities(?:\/([^/]+))?\/?$/.exec(location.pathname);
if (entityMatch) {
    let entityId;
    try {
        entityId = entityMatch[1] === undefined ? undefined : decodeURIComponent(entityMatch[1]);
    } catch {
        entityId = entityMatch[1];
    }
    if (entityId === undefined) renderEntitiesPage(main);
    else renderEntityPage(main, entityId);
} else if (match) {
    let instanceId;
    try {
        instanceId = decodeURIComponent(match[1]);
    } catch {
        instanceId = match[1];
    }
    renderInstancePage(main, instanceId);
} else {
    renderListPage(main);
}
