import { readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI } from './cli-helpers.js';

/**
 * Every module `node dist/cli.js` loads before its first dynamic `import()`: the built bin's static
 * imports, followed through its chunks. Bare specifiers (packages, `node:` builtins) are listed, not
 * followed.
 */
function staticGraph(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) {
      return;
    }
    files.add(file);
    // `import ... from "x"`, `export ... from "x"` and `import "x"`; not `import("x")`.
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(/(?:\bfrom|^import)\s*["']([^"']+)["']/gm)) {
      if (specifier!.startsWith('.')) {
        visit(join(dirname(file), specifier!));
      } else {
        packages.add(specifier!);
      }
    }
  };
  visit(entry);
  return { files: [...files].map((file) => file.slice(dirname(entry).length + 1)), packages: [...packages] };
}

describe('keyway startup', () => {
  it('loads no command and no Keyway library before a command runs (--help, --version)', () => {
    const { files, packages } = staticGraph(CLI);
    expect(files[0]).toBe('cli.js');
    expect(packages.filter((name) => !isBuiltin(name))).toEqual([]);
    // The command modules are their own chunks, reached by dynamic import only.
    const built = readFileSync(CLI, 'utf8');
    for (const command of ['login', 'token', 'status', 'list', 'logout']) {
      const dynamic = built.match(new RegExp(`import\\("\\./(${command}-[\\w-]+\\.js)"\\)`))?.[1];
      expect(dynamic, command).toBeDefined();
      expect(files).not.toContain(dynamic);
    }
  });
});
