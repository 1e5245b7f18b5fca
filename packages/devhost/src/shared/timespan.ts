/**
 * .NET TimeSpan text ("d.hh:mm:ss(.fffffff)", "hh:mm:ss", optional leading '-'), as host.json and the
 * orchestration binding carry durations. Anything else is rejected: a typo must not become "0 ms".
 */
const timeSpanPattern = /^(-)?(?:(\d+)\.)?(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,7}))?$/;

export function parseTimeSpan(value: string): number {
    const match = timeSpanPattern.exec(value.trim());
    if (!match) throw new Error(`'${value}' is not a TimeSpan ("d.hh:mm:ss" or "hh:mm:ss[.fffffff]").`);
    const [, sign, days, hours, minutes, seconds, fraction] = match;
    if (Number(hours) > 23 || Number(minutes) > 59 || Number(seconds) > 59) {
        throw new Error(`'${value}' is not a TimeSpan: hours, minutes or seconds out of range.`);
    }
    const fractionMs = fraction ? Number(`0.${fraction}`) * 1000 : 0;
    const ms =
        Number(days ?? 0) * 86_400_000 +
        Number(hours) * 3_600_000 +
        Number(minutes) * 60_000 +
        Number(seconds) * 1000 +
        fractionMs;
    return sign ? -ms : ms;
}

/** The inverse, in the extension's "d.hh:mm:ss" shape (milliseconds only when present). */
export function formatTimeSpan(ms: number): string {
    const sign = ms < 0 ? '-' : '';
    let rest = Math.abs(Math.round(ms));
    const days = Math.floor(rest / 86_400_000);
    rest -= days * 86_400_000;
    const hours = Math.floor(rest / 3_600_000);
    rest -= hours * 3_600_000;
    const minutes = Math.floor(rest / 60_000);
    rest -= minutes * 60_000;
    const seconds = Math.floor(rest / 1000);
    const millis = rest - seconds * 1000;
    const two = (n: number): string => String(n).padStart(2, '0');
    const frac = millis ? `.${String(millis).padStart(3, '0')}` : '';
    return `${sign}${days}.${two(hours)}:${two(minutes)}:${two(seconds)}${frac}`;
}
