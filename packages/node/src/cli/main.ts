import { type Flags, parseCommandLine } from './args.js';
import { type CommandName, helpText } from './help.js';
import { EXIT, print, say } from './output.js';

/**
 * Each command's code, loaded only when it runs: `keyway --help` and `--version` load the argument
 * parser and the help text, not `@keyway/core` or the login flows.
 */
const COMMAND_MODULES: Record<CommandName, () => Promise<(flags: Flags, signal: AbortSignal) => Promise<number>>> = {
  login: async () => (await import('./commands/login.js')).loginCommand,
  token: async () => (await import('./commands/token.js')).tokenCommand,
  status: async () => (await import('./commands/status.js')).statusCommand,
  list: async () => (await import('./commands/list.js')).listCommand,
  logout: async () => (await import('./commands/logout.js')).logoutCommand,
};

/** Reports `error` (report.ts loads `@keyway/core`, so only when there is one). */
async function report(error: unknown, json: boolean, interrupted?: boolean): Promise<number> {
  return (await import('./report.js')).report(error, json, interrupted);
}

/** Runs the CLI with `argv` (without node and the script) and resolves to the exit code. */
export async function main(argv: string[], version: string): Promise<number> {
  let commandLine: ReturnType<typeof parseCommandLine>;
  try {
    commandLine = parseCommandLine(argv, process.env);
  } catch (error) {
    return await report(error, false);
  }
  switch (commandLine.kind) {
    case 'version':
      print(version);
      return EXIT.ok;
    case 'help':
      if (commandLine.toStderr) {
        say(helpText());
        return EXIT.usage;
      }
      print(helpText(commandLine.command));
      return EXIT.ok;
  }
  const { command, flags } = commandLine;
  // Ctrl-C cancels a pending login cleanly (the loopback server closed, nothing stored): exit 130.
  // A second Ctrl-C leaves at once.
  const interrupt = new AbortController();
  const onSigint = () => {
    if (interrupt.signal.aborted) {
      process.exit(EXIT.interrupted);
    }
    interrupt.abort();
  };
  if (command === 'login') {
    process.on('SIGINT', onSigint);
  }
  try {
    const run = await COMMAND_MODULES[command]();
    return await run(flags, interrupt.signal);
  } catch (error) {
    return await report(error, flags.json, interrupt.signal.aborted);
  } finally {
    process.off('SIGINT', onSigint);
  }
}
