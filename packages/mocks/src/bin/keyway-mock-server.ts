#!/usr/bin/env node
import { main } from '../cli/mock-server.js';

const server = await main(process.argv.slice(2), {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
});
if (server) {
  const stop = () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} else if (!process.argv.includes('--help') && !process.argv.includes('-h')) {
  process.exitCode = 2;
}
