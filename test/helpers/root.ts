/** Tests that need root and network namespaces skip with a printed reason elsewhere. */
import { spawnSync } from 'node:child_process';

export function rootSkipReason(tools: string[] = []): string | false {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces); CI runs as root';
  for (const t of tools) {
    if (spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0) return `needs ${t} (installed by .ci/run)`;
  }
  return false;
}
