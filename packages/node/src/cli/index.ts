#!/usr/bin/env node
import { safeText } from '../internal/terminal-text.js';
import { VERSION } from '../internal/version.js';
import { main } from './main.js';

main(process.argv.slice(2), VERSION).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`keyway: ${safeText(error instanceof Error ? error.message : String(error))}\n`);
    process.exitCode = 1;
  },
);
