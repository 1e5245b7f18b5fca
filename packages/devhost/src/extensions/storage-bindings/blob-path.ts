/**
 * Blob paths of bindings: `container/path/of/blob.txt`. A trigger's path is a pattern whose `{name}` parts
 * capture (`samples/{name}.png` matches `samples/cat.png` with name = `cat`); only the last expression may
 * span `/` (so `{name}.txt` matches blobs in virtual folders too).
 */
export interface BlobLocation {
    container: string;
    blobName: string;
}

export function splitBlobPath(path: string): BlobLocation {
    const trimmed = path.replace(/^\/+/, '');
    const slash = trimmed.indexOf('/');
    if (slash <= 0 || slash === trimmed.length - 1) {
        throw new Error(`Blob path '${path}' must be 'container/blob'.`);
    }
    return { container: trimmed.slice(0, slash), blobName: trimmed.slice(slash + 1) };
}

export interface BlobPattern {
    container: string;
    /** The literal start of blob names that can match (for listing). */
    prefix: string;
    /** The captured values of a matching blob name, or undefined. */
    match(blobName: string): Record<string, string> | undefined;
}

function escapeRegExp(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function parseBlobPattern(path: string): BlobPattern {
    const slash = path.replace(/^\/+/, '').indexOf('/');
    const trimmed = path.replace(/^\/+/, '');
    const container = slash < 0 ? trimmed : trimmed.slice(0, slash);
    const rest = slash < 0 ? '' : trimmed.slice(slash + 1);
    if (!container || /[{}]/.test(container)) throw new Error(`Blob trigger path '${path}' needs a fixed container.`);
    const names: string[] = [];
    const parts = rest.split(/(\{[^{}]+\})/).filter((part) => part !== '');
    let source = '^';
    const lastExpression = parts.reduce((last, part, index) => (/^\{[^{}]+\}$/.test(part) ? index : last), -1);
    parts.forEach((part, index) => {
        const expression = /^\{([^{}]+)\}$/.exec(part);
        if (!expression?.[1]) {
            source += escapeRegExp(part);
            return;
        }
        names.push(expression[1]);
        source += index === lastExpression ? '(.+)' : '([^/]+?)';
    });
    const pattern = new RegExp(rest === '' ? '^(.+)$' : `${source}$`);
    const firstExpression = rest.indexOf('{');
    return {
        container,
        prefix: firstExpression < 0 ? rest : rest.slice(0, firstExpression),
        match(blobName) {
            const found = pattern.exec(blobName);
            if (!found) return undefined;
            const captures: Record<string, string> = {};
            names.forEach((name, i) => (captures[name] = found[i + 1] ?? ''));
            return captures;
        },
    };
}
