import { describe, expect, it } from 'vitest';
import { compareRoutePrecedence, matchRouteTemplate, parseRouteTemplate } from '../../../src/host/http/route-template';

const match = (template: string, path: string): Record<string, string> | undefined =>
    matchRouteTemplate(parseRouteTemplate(template), path);

describe('route templates', () => {
    it('checks each inline constraint', () => {
        expect(match('x/{v:int}', '/x/-12')).toEqual({ v: '-12' });
        expect(match('x/{v:int}', '/x/2147483648')).toBeUndefined();
        expect(match('x/{v:long}', '/x/2147483648')).toEqual({ v: '2147483648' });
        expect(match('x/{v:bool}', '/x/TRUE')).toEqual({ v: 'TRUE' });
        expect(match('x/{v:bool}', '/x/yes')).toBeUndefined();
        expect(match('x/{v:double}', '/x/1.5e3')).toEqual({ v: '1.5e3' });
        expect(match('x/{v:decimal}', '/x/1.5e3')).toBeUndefined();
        expect(match('x/{v:datetime}', '/x/2024-01-31')).toEqual({ v: '2024-01-31' });
        expect(match('x/{v:minlength(3)}', '/x/ab')).toBeUndefined();
        expect(match('x/{v:maxlength(3)}', '/x/abcd')).toBeUndefined();
        expect(match('x/{v:length(3)}', '/x/abc')).toEqual({ v: 'abc' });
        expect(match('x/{v:min(10)}', '/x/9')).toBeUndefined();
        expect(match('x/{v:max(10)}', '/x/10')).toEqual({ v: '10' });
        expect(match('x/{v:int:range(1,3)}', '/x/4')).toBeUndefined();
        expect(match('x/{v:guid}', '/x/{3F2504E0-4F89-11D3-9A0C-0305E82C3301}')).toBeDefined();
        expect(match('x/{v:guid}', '/x/3f2504e04f8911d39a0c0305e82c3301')).toBeDefined();
        expect(match('x/{v:regex(^\\d{{3}}$)}', '/x/123')).toEqual({ v: '123' });
        expect(match('x/{v:regex(^\\d{{3}}$)}', '/x/1234')).toBeUndefined();
    });

    it('rejects unknown constraints and misplaced catch-alls', () => {
        expect(() => parseRouteTemplate('x/{v:nope}')).toThrow(/Unknown route constraint/);
        expect(() => parseRouteTemplate('{*rest}/x')).toThrow(/last segment/);
    });

    it('orders literal before constrained before plain before catch-all', () => {
        const templates = ['a/{*rest}', 'a/{v}', 'a/{v:int}', 'a/b'].map(parseRouteTemplate);
        expect(templates.sort(compareRoutePrecedence).map((t) => t.source)).toEqual([
            'a/b',
            'a/{v:int}',
            'a/{v}',
            'a/{*rest}',
        ]);
    });
});
