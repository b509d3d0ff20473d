// The package.json `imports` of this package, as TypeScript sees them. Each runtime resolves them to a
// dist file through their conditions (see package.json); every target is typed with the interface
// named here, so the declarations cannot drift from the implementations. Declared rather than mapped
// with tsconfig `paths`: esbuild applies a tsconfig's `paths` to every file below it, dist included.
declare module '#server' {
  export const serve: import('./server-types.js').ServerModule['serve'];
}

declare module '#msw' {
  export const buildHandlers: import('./msw-types.js').MswModule['buildHandlers'];
  export const setupServer: import('./msw-types.js').MswModule['setupServer'];
}
