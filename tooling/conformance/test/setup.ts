// Every console line and stdout/stderr write of a test file goes to the secret scan (see src/secrets.ts).
import { observe } from '../src/secrets.ts';

for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
  const original = console[method].bind(console);
  console[method] = (...args: unknown[]) => {
    for (const arg of args) {
      observe(arg, `console.${method}`);
    }
    original(...args);
  };
}

for (const stream of [process.stdout, process.stderr]) {
  const original = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  const name = stream === process.stdout ? 'stdout' : 'stderr';
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    observe(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString(), name);
    return original(chunk, ...rest);
  }) as typeof stream.write;
}
