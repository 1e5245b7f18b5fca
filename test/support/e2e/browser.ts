/**
 * Headless Chromium for the viewer's browser tests: Debian's `chromium` package (`.ci/run` installs it), driven
 * by playwright-core, which downloads no browser of its own. CHROMIUM_PATH overrides the path.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Without the browser the tests are skipped locally but fail in CI, where .ci/run must have installed it. */
export const browserMissing = !existsSync(chromiumPath) && process.env.CI !== 'true';

export function launchBrowser(): Promise<Browser> {
    if (!existsSync(chromiumPath))
        throw new Error(`No Chromium at ${chromiumPath}: install it with \`apt-get install -y chromium\`.`);
    return chromium.launch({ executablePath: chromiumPath, headless: true });
}
