export interface IgnoreRule {
    pattern: string;
    negated: boolean;
    directoryOnly: boolean;
    anchored: boolean;
    regExp: RegExp;
}
export function globToRegExp(glob: string): RegExp;
export function parseIgnoreRules(text: string): IgnoreRule[];
export function isIgnored(rules: IgnoreRule[], relativePath: string, isDirectory: boolean): boolean;
