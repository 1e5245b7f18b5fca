#!/usr/bin/env node
// The devhost is written in TypeScript; `npm run build` (and `npm start`) compile it to dist/.
const path = require('node:path');
const fs = require('node:fs');

const cli = path.join(__dirname, '..', 'dist', 'devhost', 'cli.js');
if (!fs.existsSync(cli)) {
    process.stderr.write(
        'devhost: dist/devhost/cli.js is missing. Run `npm run build` first (npm start builds for you).\n',
    );
    process.exit(1);
}
require(cli);
