// Entry point: the devhost serves this one shell for /_devhost/ and /_devhost/instances/{id}; the path decides
// the page, so every instance has a deep link that can be shared.
import { renderInstancePage } from './instance-page.js';
import { renderListPage } from './list-page.js';

const main = document.getElementById('main');
const match = /^\/_devhost\/instances\/([^/]+)$/.exec(location.pathname);
if (match) {
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
