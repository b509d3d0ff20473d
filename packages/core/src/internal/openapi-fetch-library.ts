// What the service client uses of openapi-fetch. Never import this module statically:
// `loadOpenapiFetch` (service-client.ts) loads it at the first call, so `import '@keyway/core'` does not
// load openapi-fetch. A named export, not the namespace, so a bundler still drops the rest of it.
export { default as createClient } from 'openapi-fetch';
