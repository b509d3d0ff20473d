import { parseCommandLine } from './args.js';
import { listCommand } from './commands/list.js';
import { loginCommand } from './commands/login.js';
import { logoutCommand } from './commands/logout.js';
import { statusCommand } from './commands/status.js';
import { tokenCommand } from './commands/token.js';
import { helpText } from './help.js';
import { EXIT, print, report, say } from './output.js';

/** Runs the CLI with `argv` (without node and the script) and resolves to the exit code. */
export async function main(argv: string[], version: string): Promise<number> {
  let commandLine: ReturnType<typeof parseCommandLine>;
  try {
    commandLine = parseCommandLine(argv, process.env);
  } catch (error) {
    return report(error, false);
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
    switch (command) {
      case 'login':
        return await loginCommand(flags, interrupt.signal);
      case 'token':
        return await tokenCommand(flags);
      case 'status':
        return await statusCommand(flags);
      case 'list':
        return await listCommand(flags);
      case 'logout':
        return await logoutCommand(flags);
    }
  } catch (error) {
    return report(error, flags.json, interrupt.signal.aborted);
  } finally {
    process.off('SIGINT', onSigint);
  }
}
