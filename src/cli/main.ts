/** The CLI: `run(argv, io) → exit code`. One file per command; this file only wires them. */
import { Command, CommanderError } from 'commander';
import { TOOL_VERSION } from '../diagnostics/format.ts';
import { UsageError, type CliIO } from './io.ts';

/** Commands and the module that registers each; only the invoked one is loaded, so heavy dependencies of
 * other commands (browsers, databases) never slow down a quick `validate`. */
const COMMANDS: Record<string, () => Promise<RegisterCommand>> = {
  validate: async () => (await import('./validate.ts')).registerValidate,
  compile: async () => (await import('./compile.ts')).registerCompile,
  verify: async () => (await import('./verify.ts')).registerVerify,
  baseline: async () => (await import('./baseline.ts')).registerBaseline,
  lab: async () => (await import('./lab.ts')).registerLab,
  probe: async () => (await import('./probe.ts')).registerProbe,
  'modbus-filter': async () => (await import('./modbus-filter.ts')).registerModbusFilter,
  report: async () => (await import('./report.ts')).registerReport,
  diagram: async () => (await import('./diagram.ts')).registerDiagram,
  diff: async () => (await import('./diff.ts')).registerDiff,
  serve: async () => (await import('./serve.ts')).registerServe,
};

/** Commands set this through their action; the process exit code comes from here. */
export interface CommandState {
  exitCode: number;
}

export type RegisterCommand = (program: Command, io: CliIO, state: CommandState) => void;

export async function main(argv: string[], io: CliIO): Promise<number> {
  const state: CommandState = { exitCode: 0 };
  const program = new Command('otzones')
    .description('IEC 62443 security zones and conduits as code')
    .version(TOOL_VERSION, '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => void io.stdout.write(s),
      writeErr: (s) => void io.stderr.write(s),
    })
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `
Examples:
  otzones validate examples/refinery-unit3.yaml
  otzones compile examples/refinery-unit3.yaml --target nftables
  otzones verify examples/refinery-unit3.yaml --config fw.cfg --format json`,
    );
  const invoked = argv.find((a) => !a.startsWith('-'));
  const names = invoked && invoked in COMMANDS ? [invoked] : Object.keys(COMMANDS);
  for (const name of names) (await COMMANDS[name]())(program, io, state);
  // Subcommands inherit exitOverride/output settings only when set before they are added; re-apply.
  for (const cmd of program.commands) applyCommon(cmd, io);
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      if (e.code === 'commander.executeSubCommandAsync') return state.exitCode;
      return 2;
    }
    if (e instanceof UsageError) {
      io.stderr.write(`otzones: ${e.message}\n`);
      return e.exitCode;
    }
    io.stderr.write(`otzones: internal error (ZC900): ${(e as Error)?.stack ?? String(e)}\n`);
    return 3;
  }
  return state.exitCode;
}

function applyCommon(cmd: Command, io: CliIO): void {
  cmd.exitOverride().configureOutput({
    writeOut: (s) => void io.stdout.write(s),
    writeErr: (s) => void io.stderr.write(s),
  });
  cmd.showHelpAfterError('(run with --help for usage)');
  for (const sub of cmd.commands) applyCommon(sub, io);
}
