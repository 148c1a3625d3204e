/**
 * What a compile target is. A target only prints: it receives the policy IR (lowered once in src/policy)
 * and the model (for interface names, VLANs, switch ports), and returns files or diagnostics.
 * Anything the target cannot express is reported by `check` before `emit` runs — never dropped silently.
 */
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import type { Locator, Model } from '../model/types.ts';
import type { PolicyIR } from '../policy/ir.ts';

export interface TargetFile {
  /** File name relative to the output directory, e.g. `asa/FW-ISA3000-01.cfg`. */
  path: string;
  content: string;
}

export interface TargetContext {
  model: Model;
  ir: PolicyIR;
  /** SHA-256 of the model file's bytes, for the header comment. */
  modelHash: string;
  /** Model path → source position, so target diagnostics can point at the key (optional). */
  locate?: Locator;
}

export interface Target {
  /** `asa`, `ftd-snort`, `suricata`, `ios-switch`, `nftables`, `iptables`, `fortigate`, `panos`. */
  name: string;
  description: string;
  /** Diagnostics for what the model lacks or the target cannot express (errors stop emission). */
  check(ctx: TargetContext): Diagnostic[];
  /** What to paste where on the device (written as the README of `--out DIR/<target>/`). */
  howToApply?: string;
  emit(ctx: TargetContext): TargetFile[];
}
