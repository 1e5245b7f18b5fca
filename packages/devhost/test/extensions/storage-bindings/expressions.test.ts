import { describe, expect, it } from 'vitest';
import { parseBlobPattern, splitBlobPath } from '../../../src/extensions/storage-bindings/blob-path';
import { parseNcrontab } from '../../../src/extensions/storage-bindings/ncrontab';
import { BindingExpressionError, resolveBindingExpression } from '../../../src/host/bindings/binding-expression';

describe('binding expressions', () => {
    it('fills {name} from binding data ignoring case, dotted paths, and %Setting% from app settings', () => {
        const data = { backupPath: 'a/b.txt', order: { Id: 42 } };
        expect(resolveBindingExpression('%C%/{BACKUPPATH}', data, { C: 'backups' })).toBe('backups/a/b.txt');
        expect(resolveBindingExpression('orders/{order.id}.json', data, {})).toBe('orders/42.json');
    });

    it('refuses a name with no value instead of writing an empty path segment', () => {
        expect(() => resolveBindingExpression('x/{missing}', {}, {})).toThrow(BindingExpressionError);
        expect(() => resolveBindingExpression('%NOPE%/x', {}, {})).toThrow(/NOPE/);
    });

    it('has the system values {rand-guid} and {DateTime}', () => {
        const now = () => new Date('2026-12-03T10:00:00.000Z');
        expect(resolveBindingExpression('{DateTime}', {}, {}, now)).toBe('2026-12-03T10:00:00.000Z');
        const [a, b] = [
            resolveBindingExpression('{rand-guid}', {}, {}),
            resolveBindingExpression('{rand-guid}', {}, {}),
        ];
        expect(a).toMatch(/^[0-9a-f-]{36}$/);
        expect(a).not.toBe(b);
    });
});

describe('NCRONTAB schedules', () => {
    const next = (expression: string, after: string) => parseNcrontab(expression).next(new Date(after))?.toISOString();

    it('finds the next occurrence strictly after the given time', () => {
        expect(next('0 */5 * * * *', '2026-12-03T10:00:00Z')).toBe('2026-12-03T10:05:00.000Z');
        expect(next('0 */5 * * * *', '2026-12-03T10:04:59.500Z')).toBe('2026-12-03T10:05:00.000Z');
        expect(next('*/10 * * * * *', '2026-12-03T23:59:55Z')).toBe('2026-12-04T00:00:00.000Z');
    });

    it('reads ranges, lists, names, and Sunday as 0 or 7', () => {
        // 09:30 on weekdays: from Saturday 2026-12-05 the next is Monday the 7th.
        expect(next('0 30 9 * * Mon-Fri', '2026-12-05T12:00:00Z')).toBe('2026-12-07T09:30:00.000Z');
        expect(next('0 0 0 * * 7', '2026-12-03T00:00:00Z')).toBe('2026-12-06T00:00:00.000Z');
        expect(next('0 0 12 1 Jan,Jul *', '2026-12-03T00:00:00Z')).toBe('2027-01-01T12:00:00.000Z');
    });

    it('refuses five-field and malformed schedules with the schedule in the message', () => {
        expect(() => parseNcrontab('*/5 * * * *')).toThrow(/six fields/);
        expect(() => parseNcrontab('0 61 * * * *')).toThrow(/minute/);
        expect(() => parseNcrontab('0 0 * * * Funday')).toThrow(/Funday/);
    });
});

describe('blob paths', () => {
    it('splits container and blob name', () => {
        expect(splitBlobPath('backups/site/a.css')).toEqual({ container: 'backups', blobName: 'site/a.css' });
        expect(() => splitBlobPath('backups')).toThrow(/container\/blob/);
    });

    it('matches trigger patterns and captures their names', () => {
        const pattern = parseBlobPattern('uploads/{name}.txt');
        expect(pattern.container).toBe('uploads');
        expect(pattern.match('note.txt')).toEqual({ name: 'note' });
        expect(pattern.match('deep/note.txt')).toEqual({ name: 'deep/note' });
        expect(pattern.match('image.png')).toBeUndefined();
        const nested = parseBlobPattern('in/{folder}/{file}');
        expect(nested.match('a/b/c')).toEqual({ folder: 'a', file: 'b/c' });
    });
});
