// Arguments of every command (serve here; setup, doctor and keys in scripts/): node:util
// parseArgs, strict, with one error type and one exit code for usage errors. It lives in the
// sidecar library because serve needs it and the sidecar never imports the operator tools.
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** The exit code of every usage error, in every command (as most Unix tools do). */
export const USAGE_EXIT_CODE = 2;

/** The command line is wrong: unknown option, missing value, extra argument. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

export interface CommandLineSpec<O extends Options> {
  options: O;
  /** How many positional arguments the command takes (default 0). */
  maxPositionals?: number;
}

/** Parses argv strictly; every mistake becomes a UsageError with a short message. */
export function parseCommandLine<O extends Options>(argv: string[], spec: CommandLineSpec<O>) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: spec.options, strict: true, allowPositionals: true });
  } catch (err) {
    throw new UsageError(usageMessage(err));
  }
  const max = spec.maxPositionals ?? 0;
  if (parsed.positionals.length > max) {
    throw new UsageError(`unexpected argument "${parsed.positionals[max] as string}"`);
  }
  return parsed;
}

// parseArgs' own messages are long and suggest `--`; say only what is wrong.
function usageMessage(err: unknown): string {
  const { code, message } = err as { code?: string; message?: string };
  const option = /'(?:-\w, )?(-{1,2}[^' ,]+)/.exec(message ?? '')?.[1];
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option "${option}"`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /argument missing|ambiguous/.test(message ?? '') ? `${option} needs a value` : `${option} takes no value`;
    default:
      return message ?? String(err);
  }
}

/** Reports a usage error the same way for every command and returns USAGE_EXIT_CODE. */
export function reportUsageError(command: string, err: UsageError, usage: string, write: (text: string) => void): number {
  write(`${command}: ${err.message}\n\n${usage}`);
  return USAGE_EXIT_CODE;
}
