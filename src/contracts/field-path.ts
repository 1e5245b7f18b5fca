/**
 * A schema issue's path as people write it: `['items', 0, 'quantity']` → `items[0].quantity`. The empty path
 * is the value itself, `(root)`. Shared by the HTTP problem documents and the workflows' error messages so a
 * field is spelled the same everywhere.
 */
export function formatFieldPath(path: readonly PropertyKey[]): string {
    if (path.length === 0) {
        return '(root)';
    }
    return path
        .map((segment, position) =>
            typeof segment === 'number' ? `[${segment}]` : `${position === 0 ? '' : '.'}${String(segment)}`,
        )
        .join('');
}
