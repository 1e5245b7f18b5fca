/**
 * The idle-work queue: deletes of messages already accounted for wait while episodes and activities run, but
 * not for ever (maxDelayMs).
 */
import { describe, expect, it } from 'vitest';
import { IdleWorkQueue } from '../../../../src/extensions/durable/runtime/idle-work-queue';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('IdleWorkQueue', () => {
    it('holds work while the runtime is busy, and runs it once it is idle', async () => {
        let busy = true;
        const queue = new IdleWorkQueue(() => busy, 60_000);
        let ran = 0;
        const done = queue.add(() => Promise.resolve(void ran++));
        await pause(40);
        expect(ran).toBe(0);
        busy = false;
        await done;
        expect(ran).toBe(1);
    });

    it('runs work that waited maxDelayMs even while busy', async () => {
        const queue = new IdleWorkQueue(() => true, 30);
        const began = Date.now();
        await queue.add(() => Promise.resolve());
        expect(Date.now() - began).toBeGreaterThanOrEqual(30);
    });
});
