import { describe, expect, it } from 'vitest';
import { PollLoop } from '../../../../src/extensions/durable/runtime/poll-loop';

describe('PollLoop', () => {
    it('backs off exponentially while idle and polls at once when woken', async () => {
        const times: number[] = [];
        const start = Date.now();
        const loop = new PollLoop({
            name: 'test',
            minDelayMs: 20,
            maxDelayMs: 160,
            random: () => 0.5,
            poll: () => {
                times.push(Date.now() - start);
                return Promise.resolve(0);
            },
            onError: () => undefined,
        });
        loop.start();
        await new Promise((resolve) => setTimeout(resolve, 330));
        const idlePolls = times.length;
        // 0, 20, 60, 140, 300 ms: about five polls, not one every 20 ms.
        expect(idlePolls).toBeGreaterThanOrEqual(4);
        expect(idlePolls).toBeLessThanOrEqual(6);
        const wokenAt = Date.now() - start;
        loop.wake();
        await new Promise((resolve) => setTimeout(resolve, 10));
        expect(times.at(-1)).toBeGreaterThanOrEqual(wokenAt);
        await loop.stop();
    });

    it('keeps polling without delay while messages arrive and survives poll errors', async () => {
        let calls = 0;
        const errors: unknown[] = [];
        const loop = new PollLoop({
            name: 'test',
            minDelayMs: 1000,
            maxDelayMs: 1000,
            poll: () => {
                calls++;
                if (calls === 4) return Promise.reject(new Error('storage hiccup'));
                return Promise.resolve(1);
            },
            onError: (error) => errors.push(error),
        });
        loop.start();
        await new Promise((resolve) => setTimeout(resolve, 50));
        await loop.stop();
        expect(errors).toHaveLength(1);
        // Three polls with messages back to back, then the error counts as an empty poll: back-off (1 s).
        expect(calls).toBe(4);
    });
});
