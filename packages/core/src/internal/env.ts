/**
 * Reads an environment variable where the runtime has an environment (Node, Bun, Deno with
 * permission); on runtimes without one (Workers, browsers) it returns undefined.
 */
export function readEnv(name: string): string | undefined {
  const g = globalThis as {
    process?: { env?: Record<string, string | undefined> };
    Deno?: { env?: { get(name: string): string | undefined } };
  };
  try {
    const value = g.process?.env?.[name] ?? g.Deno?.env?.get(name);
    return value?.trim() ? value.trim() : undefined;
  } catch {
    // Deno without --allow-env throws; that is "no environment" for us.
    return undefined;
  }
}
