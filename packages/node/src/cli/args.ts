import { parseArgs } from 'node:util';
import { safeText } from '../internal/terminal-text.js';
import { COMMANDS, type CommandName } from './help.js';
import { UsageError } from './output.js';

/** The options that say which login a command is about (and where it is kept). */
const TARGET_OPTIONS = ['issuer', 'clientId', 'scope', 'resource', 'audience', 'tokenFile'] as const;
type TargetOption = (typeof TARGET_OPTIONS)[number];

/** Each target option's flag and environment variable. */
const TARGET_SOURCES: Record<TargetOption, { flag: string; env: string }> = {
  issuer: { flag: 'issuer', env: 'KEYWAY_ISSUER' },
  clientId: { flag: 'client-id', env: 'KEYWAY_CLIENT_ID' },
  scope: { flag: 'scope', env: 'KEYWAY_SCOPE' },
  resource: { flag: 'resource', env: 'KEYWAY_RESOURCE' },
  audience: { flag: 'audience', env: 'KEYWAY_AUDIENCE' },
  tokenFile: { flag: 'token-file', env: 'KEYWAY_TOKEN_FILE' },
};

/** The command line and the environment, as the commands read them. */
export interface Flags extends Partial<Record<TargetOption, string>> {
  /** Where each target option given came from (a suggested `keyway login` repeats the flags only). */
  sources: Partial<Record<TargetOption, 'flag' | 'env'>>;
  /** `KEYWAY_CLIENT_SECRET`: never a flag (flags show in `ps`). */
  clientSecret?: string;
  device: boolean;
  browser: boolean;
  qr: boolean | 'auto';
  json: boolean;
}

/** What the command line asks for. */
type CommandLine =
  | { kind: 'version' }
  | { kind: 'help'; command?: CommandName; toStderr?: boolean }
  | { kind: 'run'; command: CommandName; flags: Flags };

const OPTIONS = {
  issuer: { type: 'string' },
  'client-id': { type: 'string' },
  scope: { type: 'string' },
  resource: { type: 'string' },
  audience: { type: 'string' },
  'token-file': { type: 'string' },
  device: { type: 'boolean', default: false },
  browser: { type: 'boolean', default: false },
  qr: { type: 'boolean', default: false },
  'no-qr': { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  version: { type: 'boolean', default: false },
} as const;

const isCommand = (name: string | undefined): name is CommandName => COMMANDS.includes(name as CommandName);

/**
 * Parses `argv` (without node and the script) with `env` for the options not given. Throws
 * {@link UsageError} for an unknown option or command, a missing value, or flags that exclude each other.
 */
export function parseCommandLine(argv: string[], env: Record<string, string | undefined>): CommandLine {
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: OPTIONS });
  } catch (error) {
    // node's messages quote the argument as typed: shown, never run.
    throw new UsageError(safeText((error as Error).message));
  }
  const { values, positionals } = parsed;
  if (values.version) {
    return { kind: 'version' };
  }
  const [first, second, ...rest] = positionals;
  if (first === 'help') {
    if (second !== undefined && !isCommand(second)) {
      throw new UsageError(`Unknown command: ${safeText(second)}`);
    }
    return second === undefined ? { kind: 'help' } : { kind: 'help', command: second };
  }
  if (first !== undefined && !isCommand(first)) {
    throw new UsageError(`Unknown command: ${safeText(first)}`);
  }
  if (values.help) {
    return first === undefined ? { kind: 'help' } : { kind: 'help', command: first };
  }
  if (first === undefined) {
    return { kind: 'help', toStderr: true };
  }
  if (second !== undefined || rest.length > 0) {
    throw new UsageError(`Unexpected argument: ${safeText(second)}`);
  }
  if (values.device && values.browser) {
    throw new UsageError('--device and --browser exclude each other.');
  }
  if (values.qr && values['no-qr']) {
    throw new UsageError('--qr and --no-qr exclude each other.');
  }
  const flags: Flags = {
    sources: {},
    device: values.device,
    browser: values.browser,
    qr: values.qr ? true : values['no-qr'] ? false : 'auto',
    json: values.json,
    ...(env.KEYWAY_CLIENT_SECRET ? { clientSecret: env.KEYWAY_CLIENT_SECRET } : {}),
  };
  for (const name of TARGET_OPTIONS) {
    const { flag, env: variable } = TARGET_SOURCES[name];
    const fromFlag = values[flag as keyof typeof values] as string | undefined;
    if (fromFlag) {
      flags[name] = fromFlag;
      flags.sources[name] = 'flag';
    } else if (env[variable]) {
      flags[name] = env[variable];
      flags.sources[name] = 'env';
    }
  }
  return { kind: 'run', command: first, flags };
}
