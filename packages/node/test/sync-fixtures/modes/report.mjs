// One synchronous Keyway call, reported as one JSON line on fd 1: the value, or the error as the tests
// check it (class, code, cause) together with every way it can be shown (String, JSON, util.inspect).
import { writeSync } from 'node:fs';
import { inspect } from 'node:util';
import { createKeywaySyncClient } from '@keyway/node';

function describe(error) {
  return {
    name: error?.name,
    code: error?.code,
    message: error?.message,
    ...(error?.cause ? { cause: describe(error.cause) } : {}),
  };
}

export function verify(where) {
  const started = performance.now();
  let line;
  try {
    const keyway = createKeywaySyncClient({ baseUrl: process.env.KEYWAY_API_URL, token: process.env.KEYWAY_API_TOKEN });
    const { valid, sub } = keyway.validation.verify();
    line = { where, valid, sub };
  } catch (error) {
    const shown = [String(error), JSON.stringify(error), inspect(error, { depth: 10, showHidden: true })];
    line = { where, error: describe(error), shown: shown.join('\n') };
  }
  writeSync(1, `${JSON.stringify({ ...line, ms: Math.round(performance.now() - started) })}\n`);
}
