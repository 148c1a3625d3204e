/** The registry of compile targets: one module per vendor, each implementing `Target`. */
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { asaTarget } from './asa.ts';
import { fortigateTarget } from './fortigate.ts';
import { ftdSnortTarget } from './ftd-snort.ts';
import { iosSwitchTarget } from './ios-switch.ts';
import { iptablesTarget } from './iptables.ts';
import { nftablesTarget } from './nftables.ts';
import { panosTarget } from './panos.ts';
import { suricataTarget } from './suricata.ts';
import type { Target, TargetContext, TargetFile } from './target.ts';

export const TARGETS: readonly Target[] = [asaTarget, ftdSnortTarget, suricataTarget, iosSwitchTarget, nftablesTarget, iptablesTarget, fortigateTarget, panosTarget];

export function getTarget(name: string): Target | undefined {
  return TARGETS.find((t) => t.name === name);
}

export type { Target, TargetContext, TargetFile } from './target.ts';
export { linuxInterfaceNames, nftInterfaceName } from './nftables.ts';

export interface CompileResult {
  /** Empty when any diagnostic is an error: no half configs. */
  files: TargetFile[];
  diagnostics: Diagnostic[];
}

/**
 * Runs each target's `check`, and the targets' `emit` only when no check (nor the IR) reported an error.
 * Diagnostics of the IR itself (endpoints without addresses) come first.
 */
export function compileTargets(ctx: TargetContext, targets: readonly Target[]): CompileResult {
  const diagnostics = [...ctx.ir.diagnostics];
  for (const t of targets) diagnostics.push(...t.check(ctx));
  if (diagnostics.some((d) => d.severity === 'error')) return { files: [], diagnostics };
  return { files: targets.flatMap((t) => t.emit(ctx)), diagnostics };
}
