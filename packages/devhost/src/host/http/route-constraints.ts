/**
 * Inline route constraints of Functions route templates (ASP.NET Core's set). Values are the decoded
 * path segment; checks use invariant-culture rules, approximated with plain regular expressions.
 */
export type ConstraintCheck = (value: string) => boolean;

const INT32 = { min: -(2n ** 31n), max: 2n ** 31n - 1n };
const INT64 = { min: -(2n ** 63n), max: 2n ** 63n - 1n };
const INTEGER = /^\s*[+-]?\d+\s*$/;
const FLOATING = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;
const DECIMAL = /^\s*[+-]?(\d+\.?\d*|\.\d+)\s*$/;
const GUID_DASHED = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const GUID_PLAIN = /^[0-9a-f]{32}$/i;

function parseInteger(value: string): bigint | undefined {
    return INTEGER.test(value) ? BigInt(value.trim()) : undefined;
}

function inRange(value: string, range: { min: bigint; max: bigint }): boolean {
    const n = parseInteger(value);
    return n !== undefined && n >= range.min && n <= range.max;
}

function isGuid(value: string): boolean {
    // Formats D, N, B ({...}) and P ((...)) as Guid.TryParse accepts them.
    const inner = /^\{.*\}$/.test(value) || /^\(.*\)$/.test(value) ? value.slice(1, -1) : value;
    return GUID_DASHED.test(inner) || (inner === value && GUID_PLAIN.test(inner));
}

function integerArgs(name: string, args: string[], count: number): bigint[] {
    if (args.length !== count || args.some((a) => !INTEGER.test(a))) {
        throw new Error(`Route constraint '${name}' expects ${count} integer argument(s), got (${args.join(',')}).`);
    }
    return args.map((a) => BigInt(a.trim()));
}

/** Builds the check for one constraint, e.g. `int`, `range(1,10)`, `regex(^\d{3}$)`. Unknown ones throw. */
export function parseConstraint(text: string): ConstraintCheck {
    const open = text.indexOf('(');
    const name = (open < 0 ? text : text.slice(0, open)).trim().toLowerCase();
    const rawArgs = open < 0 ? undefined : text.slice(open + 1, text.lastIndexOf(')'));
    const args = rawArgs === undefined ? [] : rawArgs.split(',');
    switch (name) {
        case 'int':
            return (v) => inRange(v, INT32);
        case 'long':
            return (v) => inRange(v, INT64);
        case 'guid':
            return isGuid;
        case 'alpha':
            return (v) => /^[a-z]*$/i.test(v);
        case 'bool':
            return (v) => /^\s*(true|false)\s*$/i.test(v);
        case 'datetime':
            return (v) => v.trim() !== '' && !Number.isNaN(Date.parse(v));
        case 'decimal':
            return (v) => DECIMAL.test(v);
        case 'double':
        case 'float':
            return (v) => FLOATING.test(v);
        case 'minlength': {
            const [min = 0n] = integerArgs(name, args, 1);
            return (v) => BigInt(v.length) >= min;
        }
        case 'maxlength': {
            const [max = 0n] = integerArgs(name, args, 1);
            return (v) => BigInt(v.length) <= max;
        }
        case 'length': {
            const bounds = integerArgs(name, args, args.length === 2 ? 2 : 1);
            const [min = 0n, max = min] = bounds;
            return (v) => BigInt(v.length) >= min && BigInt(v.length) <= max;
        }
        case 'min': {
            const [min = 0n] = integerArgs(name, args, 1);
            return (v) => (parseInteger(v) ?? min - 1n) >= min;
        }
        case 'max': {
            const [max = 0n] = integerArgs(name, args, 1);
            return (v) => (parseInteger(v) ?? max + 1n) <= max;
        }
        case 'range': {
            const [min = 0n, max = 0n] = integerArgs(name, args, 2);
            return (v) => {
                const n = parseInteger(v);
                return n !== undefined && n >= min && n <= max;
            };
        }
        case 'regex': {
            // Like ASP.NET: case-insensitive and not anchored unless the pattern anchors itself.
            const pattern = new RegExp(rawArgs ?? '', 'i');
            return (v) => pattern.test(v);
        }
        default:
            throw new Error(`Unknown route constraint '${text}'.`);
    }
}
