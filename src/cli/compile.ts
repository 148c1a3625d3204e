/** `otzones compile` — placeholder until its issue lands; replaced by the real command. */
import type { Command } from 'commander';
import { UsageError, type CliIO } from './io.ts';
import type { CommandState } from './main.ts';

export function registerCompile(program: Command, _io: CliIO, _state: CommandState): void {
  program
    .command('compile')
    .description('(not implemented yet)')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(() => {
      throw new UsageError('compile is not implemented yet');
    });
}
