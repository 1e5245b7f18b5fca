/**
 * CPU time of this process and of another one (Azurite), in milliseconds, to report CPU per order the way the
 * peer's benchmark does: user + system time over a phase, divided by the orders of that phase.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's utime/stime (`getconf CLK_TCK`, 100 on Linux almost everywhere). */
function clockTicks(): number {
    try {
        return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
        return 100;
    }
}
const TICKS = clockTicks();

/** user + system CPU of this process so far. */
export function ownCpuMs(): number {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
}

/** user + system CPU of `pid` so far (fields 14 and 15 of /proc/<pid>/stat); undefined off Linux. */
export function processCpuMs(pid: number | undefined): number | undefined {
    if (pid === undefined) return undefined;
    try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const utime = Number(fields[11]);
        const stime = Number(fields[12]);
        return ((utime + stime) * 1000) / TICKS;
    } catch {
        return undefined;
    }
}

/** CPU spent by this process and by `pid` while `phase` runs. */
export async function measureCpu<T>(
    pid: number | undefined,
    phase: () => Promise<T>,
): Promise<{ result: T; hostMs: number; storeMs: number | undefined }> {
    const host0 = ownCpuMs();
    const store0 = processCpuMs(pid);
    const result = await phase();
    const store1 = processCpuMs(pid);
    return {
        result,
        hostMs: ownCpuMs() - host0,
        storeMs: store0 === undefined || store1 === undefined ? undefined : store1 - store0,
    };
}
