#!/usr/bin/env node
// The devhost is written in TypeScript; `npm run build` (and `npm start`) compile it to dist/.
const fs = require('node:fs');
const path = require('node:path');

const cli = path.join(__dirname, '..', 'dist', 'cli.js');
if (!fs.existsSync(cli)) {
    process.stderr.write(
        "devhost: dist/cli.js is missing. Run `npm run build -w devhost` first (the app's npm start builds it for you).\n",
    );
    process.exit(1);
}
require(cli);
