/**
 * Queue message text as the Storage extension writes and reads it: base64 by default, or as plain text when
 * host.json sets `extensions.queues.messageEncoding` to `none` (Microsoft's host.json reference for queues).
 */
export type QueueMessageEncoding = 'base64' | 'none';

export function encodeQueueMessage(text: string, encoding: QueueMessageEncoding): string {
    return encoding === 'base64' ? Buffer.from(text, 'utf8').toString('base64') : text;
}

export function decodeQueueMessage(body: string, encoding: QueueMessageEncoding): string {
    if (encoding === 'none') return body;
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body)) {
        throw new Error('The queue message is not base64 (host.json extensions.queues.messageEncoding is base64).');
    }
    return Buffer.from(body, 'base64').toString('utf8');
}
