import { describe, expect, it } from 'vitest';
import { publicRouteAuthLevel } from '../../src/http/auth-level';

describe('HTTP_AUTH_LEVEL: who may call the public routes', () => {
    it('requires a function key when the setting is unset or empty, so a forgotten setting stays closed', () => {
        expect(publicRouteAuthLevel(undefined)).toBe('function');
        expect(publicRouteAuthLevel('')).toBe('function');
        expect(publicRouteAuthLevel('  ')).toBe('function');
    });

    it('accepts function and anonymous in any case', () => {
        expect(publicRouteAuthLevel('anonymous')).toBe('anonymous');
        expect(publicRouteAuthLevel('Anonymous')).toBe('anonymous');
        expect(publicRouteAuthLevel('FUNCTION')).toBe('function');
    });

    it('refuses anything else with the allowed values, instead of guessing', () => {
        expect(() => publicRouteAuthLevel('admin')).toThrow(/HTTP_AUTH_LEVEL is 'admin'.*function, anonymous/);
        expect(() => publicRouteAuthLevel('open')).toThrow(/HTTP_AUTH_LEVEL/);
    });
});
