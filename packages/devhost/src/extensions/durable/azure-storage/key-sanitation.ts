/**
 * Instance ids become table PartitionKeys. Table keys may not hold `/ \ # ?` or control characters, so the
 * provider escapes them with `^` (DTFx `Tracking/KeySanitation.cs`, docs/protocol.md §2).
 * Both directions are needed: queries list PartitionKeys and hand back instance ids.
 */

const ESCAPE = '^';
/** Control characters are shifted by this offset into printable Latin-1 so they survive as key text. */
const CONTROL_OFFSET = 0xc0;

const ESCAPED: Readonly<Record<string, string>> = { '^': '^', '/': '0', '\\': '1', '#': '2', '?': '3' };
const UNESCAPED: Readonly<Record<string, string>> = { '^': '^', '0': '/', '1': '\\', '2': '#', '3': '?' };

function isControl(code: number): boolean {
    return code <= 0x1f || (code >= 0x7f && code <= 0x9f);
}

export function escapePartitionKey(instanceId: string): string {
    let out = '';
    for (const ch of instanceId) {
        const mapped = ESCAPED[ch];
        if (mapped !== undefined) out += ESCAPE + mapped;
        else if (ch.length === 1 && isControl(ch.charCodeAt(0)))
            out += ESCAPE + String.fromCharCode(CONTROL_OFFSET + ch.charCodeAt(0));
        else out += ch;
    }
    return out;
}

export function unescapePartitionKey(key: string): string {
    let out = '';
    for (let i = 0; i < key.length; i++) {
        const ch = key.charAt(i);
        if (ch !== ESCAPE) {
            out += ch;
            continue;
        }
        const next = key.charAt(++i);
        const mapped = UNESCAPED[next];
        if (mapped !== undefined) out += mapped;
        else {
            // Same rule as the provider: only characters at or above the offset were shifted.
            const code = next.charCodeAt(0);
            out += code < CONTROL_OFFSET ? next : String.fromCharCode(code - CONTROL_OFFSET);
        }
    }
    return out;
}
