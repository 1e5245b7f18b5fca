/**
 * One way to turn whatever was thrown into text. JavaScript can throw anything (a string, an object,
 * undefined), and a log line or an HTTP answer must still say something useful.
 */
export function errorMessage(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
}
