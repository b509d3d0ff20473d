// A plain synchronous script: no await anywhere, and it must exit by itself when it is done.
import { NotFoundError } from '@keyway/core';
import { createKeywaySyncClient } from '@keyway/node';

const keyway = createKeywaySyncClient({ baseUrl: process.env.KEYWAY_API_URL, token: process.env.KEYWAY_API_TOKEN });
const verified = keyway.validation.verify();
let notFound = false;
try {
  keyway.access.retrieve({ id: 'ptk_none' });
} catch (error) {
  notFound = error instanceof NotFoundError && NotFoundError.is(error) && error.status === 404;
}
process.stdout.write(`${JSON.stringify({ valid: verified.valid, notFound })}\n`);
