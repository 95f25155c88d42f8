#!/usr/bin/env node
// Launcher: Node 24 strips TypeScript types natively, so the CLI runs from its sources.
import { main } from '../src/main.ts';

process.exitCode = await main(process.argv.slice(2));
