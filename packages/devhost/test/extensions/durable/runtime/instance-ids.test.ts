import { describe, expect, it } from 'vitest';
import { DurableArgumentError } from '../../../../src/extensions/durable/runtime/errors';
import {
    MAX_INSTANCE_ID_LENGTH,
    newInstanceId,
    validateInstanceId,
} from '../../../../src/extensions/durable/runtime/instance-ids';

describe('instance ids', () => {
    it('generates GUIDs in "N" format', () => {
        const id = newInstanceId();
        expect(id).toMatch(/^[0-9a-f]{32}$/);
        expect(newInstanceId()).not.toBe(id);
    });

    it.each([
        ['@counter@key', /must not start with @/],
        ['a/b', /must not contain/],
        ['a\\b', /must not contain/],
        ['a#b', /must not contain/],
        ['a?b', /must not contain/],
        ['a\u0001b', /must not contain/],
        ['a\u007fb', /must not contain/],
        ['x'.repeat(MAX_INSTANCE_ID_LENGTH + 1), /must not exceed 256/],
    ])('rejects %j as the extension does', (id, message) => {
        expect(() => validateInstanceId(id)).toThrow(DurableArgumentError);
        expect(() => validateInstanceId(id)).toThrow(message);
    });

    it.each(['order-1', 'x'.repeat(MAX_INSTANCE_ID_LENGTH), 'mit Leerzeichen', "quote'd", 'ünïcødé:1'])(
        'accepts %j',
        (id) => {
            expect(() => validateInstanceId(id)).not.toThrow();
        },
    );
});
