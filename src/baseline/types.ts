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

export interface BaselineResult {
  flows: BaselineFlow[];
  violations: BaselineFlow[];
  assets: BaselineAsset[];
  summary: BaselineSummary;
  proposed: string;
  diagnostics: Diagnostic[];
}
