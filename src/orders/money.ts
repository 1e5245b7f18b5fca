import { z } from 'zod';

/**
 * Money travels as integer cents: binary floating point cannot hold 29.99 exactly, so summing prices as
 * numbers drifts (29.99 * 7 === 209.92999999999998). Cents are the truth; `decimal` is the same amount for
 * people and for JSON consumers, derived from the cents and never summed.
 */
export interface Money {
    /** The amount in cents, a non-negative safe integer. */
    readonly cents: number;
    /** `cents / 100`: the double nearest the exact decimal amount, so it prints as e.g. 89.97. */
    readonly decimal: number;
}

/** The one price this shop knows: every unit costs 29.99. */
export const UNIT_PRICE_CENTS = 2999;

/** Builds a Money from integer cents; rejects anything that is not a non-negative safe integer. */
export function moneyFromCents(cents: number): Money {
    if (!Number.isSafeInteger(cents) || cents < 0) {
        throw new RangeError(`Money needs a non-negative safe integer of cents, got ${cents}`);
    }
    // Dividing an exact integer by 100 rounds once, to the double nearest the decimal value: that is the
    // "exact" decimal JSON can carry. Only display values are derived this way; arithmetic stays in cents.
    return { cents, decimal: cents / 100 };
}

/** A Money read back from an orchestration or an activity: the decimal must agree with the cents. */
export const MoneySchema = z
    .object({
        cents: z.int().nonnegative(),
        decimal: z.number(),
    })
    .refine((money) => money.decimal === money.cents / 100, {
        error: 'decimal must equal cents / 100',
        path: ['decimal'],
    });
