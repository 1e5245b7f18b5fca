/**
 * NCRONTAB schedules of timer triggers: six fields `{second} {minute} {hour} {day} {month} {day-of-week}`
 * (Microsoft's timer trigger reference), each `*`, a value, a range `a-b`, a step `* /n` or `a-b/n`, or a
 * comma list of those; months and days may be names (`Jan`, `Mon`); day-of-week 0 or 7 is Sunday. Times
 * are UTC, as the host uses without WEBSITE_TIME_ZONE. A five-field expression (no seconds) is refused, as
 * the host refuses it.
 */
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface FieldSpec {
    name: string;
    min: number;
    max: number;
    names?: readonly string[];
    namesStartAt?: number;
}

const FIELDS: readonly FieldSpec[] = [
    { name: 'second', min: 0, max: 59 },
    { name: 'minute', min: 0, max: 59 },
    { name: 'hour', min: 0, max: 23 },
    { name: 'day', min: 1, max: 31 },
    { name: 'month', min: 1, max: 12, names: MONTHS, namesStartAt: 1 },
    { name: 'day-of-week', min: 0, max: 7, names: DAYS, namesStartAt: 0 },
];

export interface CronSchedule {
    readonly source: string;
    /** The first occurrence strictly after `after` (UTC), or undefined if none within five years. */
    next(after: Date): Date | undefined;
}

function parseValue(text: string, spec: FieldSpec, expression: string): number {
    const upper = text.toUpperCase();
    const named = spec.names?.indexOf(upper) ?? -1;
    const value = named >= 0 ? named + (spec.namesStartAt ?? 0) : /^\d+$/.test(text) ? Number(text) : NaN;
    if (!Number.isInteger(value) || value < spec.min || value > spec.max) {
        throw new Error(`'${text}' is not a valid ${spec.name} in the schedule '${expression}'.`);
    }
    return value;
}

function parseField(text: string, spec: FieldSpec, expression: string): Set<number> {
    const values = new Set<number>();
    for (const part of text.split(',')) {
        const [range = '', stepText] = part.split('/');
        const step = stepText === undefined ? 1 : Number(stepText);
        if (!Number.isInteger(step) || step < 1) throw new Error(`'${part}' has a bad step in '${expression}'.`);
        let from: number;
        let to: number;
        if (range === '*') {
            from = spec.min;
            to = spec.name === 'day-of-week' ? 6 : spec.max;
        } else if (range.includes('-')) {
            const [a = '', b = ''] = range.split('-');
            from = parseValue(a, spec, expression);
            to = parseValue(b, spec, expression);
            if (to < from) throw new Error(`'${range}' is an empty range in '${expression}'.`);
        } else {
            from = parseValue(range, spec, expression);
            to = stepText === undefined ? from : spec.max;
        }
        for (let value = from; value <= to; value += step) values.add(spec.name === 'day-of-week' ? value % 7 : value);
    }
    return values;
}

export function parseNcrontab(expression: string): CronSchedule {
    const parts = expression.trim().split(/\s+/);
    if (parts.length !== 6) {
        throw new Error(
            `The schedule '${expression}' must have six fields ({second} {minute} {hour} {day} {month} {day-of-week}).`,
        );
    }
    const [seconds, minutes, hours, days, months, weekdays] = FIELDS.map((spec, i) =>
        parseField(parts[i] ?? '', spec, expression),
    ) as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
    const sorted = (set: Set<number>) => [...set].sort((a, b) => a - b);
    const secondList = sorted(seconds);
    const minuteList = sorted(minutes);
    const hourList = sorted(hours);

    return {
        source: expression,
        next(after) {
            const start = new Date(Math.floor(after.getTime() / 1000) * 1000 + 1000);
            const limit = start.getTime() + 5 * 366 * 86_400_000;
            const day = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate()));
            for (; day.getTime() <= limit; day.setUTCDate(day.getUTCDate() + 1)) {
                if (
                    !months.has(day.getUTCMonth() + 1) ||
                    !days.has(day.getUTCDate()) ||
                    !weekdays.has(day.getUTCDay())
                ) {
                    continue;
                }
                for (const hour of hourList) {
                    for (const minute of minuteList) {
                        for (const second of secondList) {
                            const candidate = day.getTime() + ((hour * 60 + minute) * 60 + second) * 1000;
                            if (candidate >= start.getTime()) return new Date(candidate);
                        }
                    }
                }
            }
            return undefined;
        },
    };
}
