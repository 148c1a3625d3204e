/**
 * Probe agent: started by `probe --lab` inside one zone namespace (`ip netns exec NS node … agent.daemon.ts`).
 * Reads one ExecTask per line on stdin, runs it, writes one ExecResult per line on stdout; exits at EOF.
 */
import { createInterface } from 'node:readline';
import { execute, type ExecTask } from './exec.ts';

const rl = createInterface({ input: process.stdin });
let open = 0;
let ended = false;
rl.on('line', (line) => {
  if (!line.trim()) return;
  open++;
  const task = JSON.parse(line) as ExecTask;
  void execute(task).then((r) => {
    process.stdout.write(JSON.stringify(r) + '\n');
    open--;
    if (ended && open === 0) process.exit(0);
  });
});
rl.on('close', () => {
  ended = true;
  if (open === 0) process.exit(0);
});
process.stdout.write(JSON.stringify({ ready: true }) + '\n');
