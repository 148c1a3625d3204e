/** The baseline's output records; field names follow ../shared/spec/CLI.md (Baseline flow). */
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import type { Reason, Verdict } from './verdict.ts';

export interface BaselineFlow {
  src: string;
  dst: string;
  transport: string;
  dst_port: number;
  protocol: string;
  src_zone: string | null;
  dst_zone: string | null;
  /** Model asset ids of the endpoints, when the model names them. */
  src_asset: string | null;
  dst_asset: string | null;
  packets: number;
  bytes: number;
  first_seen: string | null;
  last_seen: string | null;
  /** Modbus/DNP3 function codes sent by the initiator (exception responses are in `exception_codes`). */
  function_codes: Record<string, number>;
  exception_codes: Record<string, number>;
  /** S7comm functions, CIP services, OPC UA message types and security, by name. */
  app_codes: Record<string, number>;
  verdict: Verdict;
  reasons: Reason[];
  conduit: string | null;
  /** Function codes the conduit flow does not allow. */
  disallowed_function_codes: number[];
  connections: number;
  /** Firewall logs: records that said allowed / denied. */
  firewall?: { allowed: number; denied: number };
  /** First input the flow was seen in (file, or file:line for logs). */
  evidence: string;
  /** Requirements of the allowing conduit flow the traffic does not meet (e.g. OPC UA without security). */
  notes?: string[];
}

export interface BaselineAsset {
  ip: string;
  zone: string | null;
  asset: string | null;
  model_role: string | null;
  observed_roles: string[];
}

export interface BaselineSummary {
  inputs: number;
  packets: number;
  bytes: number;
  flows: number;
  intra_zone: number;
  allowed: number;
  violations: number;
  by_reason: Record<Reason, number>;
  unzoned_addresses: number;
  decode: Record<string, number>;
}

/**
 * Every flow in output order (by initiator, responder, transport, port) and the violations most serious
 * first. The flows stay in columns: `flowAt`/`violationAt` build one record per call, and the `flows` and
 * `violations` arrays are built (once) only when read, so a million-flow result can be written as text or
 * JSON without holding a million records.
 */
export interface BaselineResult {
  readonly flows: BaselineFlow[];
  readonly violations: BaselineFlow[];
  readonly flowCount: number;
  flowAt(i: number): BaselineFlow;
  readonly violationCount: number;
  violationAt(k: number): BaselineFlow;
  /** `JSON.stringify(flowAt(i))` / `JSON.stringify(violationAt(k))`, made without building the record. */
  flowJsonAt(i: number): string;
  violationJsonAt(k: number): string;
  /** Cheap per-flow facts (no record built), for filters over every flow. */
  verdictAt(i: number): Verdict;
  /** The flow's violation reasons, most serious first (empty unless a violation). */
  reasonsAt(i: number): readonly Reason[];
  firewallAt(i: number): { allowed: number; denied: number } | undefined;
  hasNotesAt(i: number): boolean;
  /** Position in `flows` of the k-th violation. */
  violationIndex(k: number): number;
  assets: BaselineAsset[];
  summary: BaselineSummary;
  proposed: string;
  diagnostics: Diagnostic[];
}
