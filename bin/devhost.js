#!/usr/bin/env node
// The devhost is written in TypeScript; `npm run build` compiles it to dist/.
require('../dist/devhost/cli.js');
