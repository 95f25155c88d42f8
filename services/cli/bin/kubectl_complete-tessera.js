#!/usr/bin/env node
// kubectl's plugin completion: `kubectl tessera <TAB>` runs this with the words typed after
// "tessera" and reads cobra's __complete answer.
process.argv.splice(2, 0, '__complete');
await import('./kubectl-tessera.js');
