#!/usr/bin/env node
import { cli } from '../src/cli.ts';

process.exitCode = await cli(process.argv.slice(2));
