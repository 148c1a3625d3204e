/** `otzones serve` — placeholder until its issue lands; replaced by the real command. */
import type { Command } from 'commander';
import { UsageError, type CliIO } from './io.ts';
import type { CommandState } from './main.ts';

export function registerServe(program: Command, _io: CliIO, _state: CommandState): void {
  program
    .command('serve')
    .description('(not implemented yet)')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(() => {
      throw new UsageError('serve is not implemented yet');
    });
}
