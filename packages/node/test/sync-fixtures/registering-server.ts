// The registering mock (../registering-mock.ts) in a process of its own, for synchronous callers whose
// thread blocks: run with tsx. Prints `{"issuer":...}` once ready, then `{"registrations":n}` whenever a
// client registers; ends when stdin closes.
import { startRegisteringMock } from '../registering-mock.js';

const provider = await startRegisteringMock();
process.stdout.write(`${JSON.stringify({ issuer: provider.issuer })}\n`);
let seen = 0;
const watch = setInterval(() => {
  if (provider.registrations.length !== seen) {
    seen = provider.registrations.length;
    process.stdout.write(`${JSON.stringify({ registrations: seen })}\n`);
  }
}, 20);
process.stdin.resume();
process.stdin.on('end', () => {
  clearInterval(watch);
  void provider.close().then(() => process.exit(0));
});
