/** `otzones verify` — placeholder until its issue lands; replaced by the real command. */
import type { Command } from 'commander';
import { UsageError, type CliIO } from './io.ts';
import type { CommandState } from './main.ts';

export function registerVerify(program: Command, _io: CliIO, _state: CommandState): void {
  program
    .command('verify')
    .description('(not implemented yet)')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(() => {
      throw new UsageError('verify is not implemented yet');
    });
}
