/* The Hono app of hono-app.ts as a Worker: the issuer comes from the `KEYWAY_ISSUER` binding. */
import { honoApp } from './hono-app.ts';

export default honoApp();
