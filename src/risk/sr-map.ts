/**
 * IEC 62443-3-3 system requirements (SR) and requirement enhancements (RE): numbers, short titles of our own
 * wording, the lowest SL at which each applies, and which otzones result is evidence for it. Only numbers
 * and short titles (public facts) are given; read the standard for the requirement text.
 */
import type { FR } from '../model/types.ts';

/** Where otzones evidence for a requirement comes from. */
export type EvidenceSource = 'validate' | 'risk' | 'inventory' | 'compile' | 'verify' | 'probe' | 'baseline';

export interface Requirement {
  /** "SR 5.2" or "SR 5.2 RE 1". */
  id: string;
  fr: FR;
  title: string;
  /** Lowest SL-T at which the requirement applies. */
  sl: number;
  /** Results that bear on it; empty = outside what otzones can show (product or procedure). */
  evidence: EvidenceSource[];
  /** What exactly is shown. */
  how?: string;
  /** For `validate` evidence: the design rules (by name) whose findings bear on it; all rules when absent. */
  rules?: string[];
}

function r(id: string, fr: FR, sl: number, title: string, evidence: EvidenceSource[] = [], how?: string, rules?: string[]): Requirement {
  return { id, fr, sl, title, evidence, how, ...(rules ? { rules } : {}) };
}

const PARTITION = ['overlapping-subnets', 'duplicate-address', 'asset-outside-zone', 'gateway-outside-zone', 'shared-vlan', 'allowed-conduits-mismatch', 'conduit-too-few-zones'];
const BOUNDARY = ['enterprise-bypasses-dmz', 'purdue-level-skip', 'flow-outside-conduit'];

export const REQUIREMENTS: readonly Requirement[] = [
  r('SR 1.1', 'IAC', 1, 'Human user identification and authentication'),
  r('SR 1.1 RE 1', 'IAC', 2, 'Unique identification and authentication'),
  r('SR 1.1 RE 2', 'IAC', 3, 'Multifactor authentication for untrusted networks', ['validate'], 'remote access only through a DMZ jump server (rule remote-access-without-jump-server); MFA listed in conduit controls', ['remote-access-without-jump-server']),
  r('SR 1.1 RE 3', 'IAC', 4, 'Multifactor authentication for all networks'),
  r('SR 1.2', 'IAC', 2, 'Software process and device identification and authentication'),
  r('SR 1.2 RE 1', 'IAC', 3, 'Unique identification and authentication of processes and devices'),
  r('SR 1.3', 'IAC', 1, 'Account management'),
  r('SR 1.3 RE 1', 'IAC', 3, 'Unified account management'),
  r('SR 1.4', 'IAC', 1, 'Identifier management'),
  r('SR 1.5', 'IAC', 1, 'Authenticator management'),
  r('SR 1.5 RE 1', 'IAC', 3, 'Hardware protection of process authenticators'),
  r('SR 1.6', 'IAC', 1, 'Wireless access management'),
  r('SR 1.6 RE 1', 'IAC', 2, 'Unique identification and authentication of wireless users'),
  r('SR 1.7', 'IAC', 1, 'Strength of password-based authentication'),
  r('SR 1.7 RE 1', 'IAC', 3, 'Password generation and lifetime restrictions for human users'),
  r('SR 1.7 RE 2', 'IAC', 4, 'Password generation and lifetime restrictions for all users'),
  r('SR 1.8', 'IAC', 2, 'Public key infrastructure certificates'),
  r('SR 1.9', 'IAC', 2, 'Strength of public key-based authentication'),
  r('SR 1.9 RE 1', 'IAC', 3, 'Hardware protection of public key authentication'),
  r('SR 1.10', 'IAC', 1, 'Authenticator feedback'),
  r('SR 1.11', 'IAC', 1, 'Unsuccessful login attempts'),
  r('SR 1.12', 'IAC', 1, 'System use notification'),
  r('SR 1.13', 'IAC', 1, 'Access via untrusted networks', ['validate', 'verify'], 'enterprise traffic ends in the DMZ (rules enterprise-bypasses-dmz, remote-access-without-jump-server); verify shows no other path', ['enterprise-bypasses-dmz', 'remote-access-without-jump-server']),
  r('SR 1.13 RE 1', 'IAC', 2, 'Explicit approval of access requests'),
  r('SR 2.1', 'UC', 1, 'Authorization enforcement'),
  r('SR 2.1 RE 1', 'UC', 2, 'Authorization enforcement for all users'),
  r('SR 2.1 RE 2', 'UC', 2, 'Permission mapping to roles'),
  r('SR 2.1 RE 3', 'UC', 3, 'Supervisor override'),
  r('SR 2.1 RE 4', 'UC', 4, 'Dual approval'),
  r('SR 2.2', 'UC', 1, 'Wireless use control'),
  r('SR 2.2 RE 1', 'UC', 3, 'Identification and reporting of unauthorized wireless devices'),
  r('SR 2.3', 'UC', 1, 'Use control for portable and mobile devices'),
  r('SR 2.3 RE 1', 'UC', 3, 'Enforcement of security status of portable devices'),
  r('SR 2.4', 'UC', 1, 'Mobile code'),
  r('SR 2.4 RE 1', 'UC', 3, 'Mobile code integrity check'),
  r('SR 2.5', 'UC', 1, 'Session lock'),
  r('SR 2.6', 'UC', 2, 'Remote session termination'),
  r('SR 2.7', 'UC', 3, 'Concurrent session control'),
  r('SR 2.8', 'UC', 1, 'Auditable events', ['compile'], 'generated boundary configurations log every denied packet to the model\'s logging hosts'),
  r('SR 2.8 RE 1', 'UC', 3, 'Centrally managed, system-wide audit trail', ['compile'], 'logging_hosts of the model receive the logs of every generated device'),
  r('SR 2.9', 'UC', 1, 'Audit storage capacity'),
  r('SR 2.9 RE 1', 'UC', 3, 'Warning when audit storage reaches a threshold'),
  r('SR 2.10', 'UC', 1, 'Response to audit processing failures'),
  r('SR 2.11', 'UC', 1, 'Timestamps'),
  r('SR 2.11 RE 1', 'UC', 2, 'Internal time synchronization'),
  r('SR 2.11 RE 2', 'UC', 4, 'Protection of time source integrity'),
  r('SR 2.12', 'UC', 3, 'Non-repudiation'),
  r('SR 2.12 RE 1', 'UC', 4, 'Non-repudiation for all users'),
  r('SR 3.1', 'SI', 1, 'Communication integrity', ['validate'], 'cleartext industrial protocols across zone boundaries are reported (rule cleartext-protocol)', ['cleartext-protocol']),
  r('SR 3.1 RE 1', 'SI', 3, 'Cryptographic integrity protection', ['validate'], 'conduit flows carry a security mode (e.g. OPC UA SignAndEncrypt) or are reported', ['cleartext-protocol']),
  r('SR 3.2', 'SI', 1, 'Malicious code protection'),
  r('SR 3.2 RE 1', 'SI', 2, 'Malicious code protection on entry and exit points'),
  r('SR 3.2 RE 2', 'SI', 3, 'Central management and reporting of malicious code protection'),
  r('SR 3.3', 'SI', 1, 'Security functionality verification', ['probe'], 'probe tests the boundary live: prohibited paths, conduit flows, Modbus writes, diode direction'),
  r('SR 3.3 RE 1', 'SI', 3, 'Automated mechanisms for security functionality verification', ['probe'], 'the probe suite is automated and repeatable'),
  r('SR 3.3 RE 2', 'SI', 4, 'Security functionality verification during normal operation'),
  r('SR 3.4', 'SI', 2, 'Software and information integrity'),
  r('SR 3.4 RE 1', 'SI', 3, 'Automated notification of integrity violations'),
  r('SR 3.5', 'SI', 1, 'Input validation', ['verify', 'probe'], 'Modbus function-code filtering at the conduit (verify needs-DPI findings, probe modbus-write-blocked)'),
  r('SR 3.6', 'SI', 1, 'Deterministic output'),
  r('SR 3.7', 'SI', 2, 'Error handling'),
  r('SR 3.8', 'SI', 2, 'Session integrity'),
  r('SR 3.8 RE 1', 'SI', 3, 'Invalidation of session ids after session termination'),
  r('SR 3.8 RE 2', 'SI', 3, 'Unique session id generation'),
  r('SR 3.8 RE 3', 'SI', 4, 'Randomness of session ids'),
  r('SR 3.9', 'SI', 2, 'Protection of audit information'),
  r('SR 3.9 RE 1', 'SI', 4, 'Audit records on write-once media'),
  r('SR 4.1', 'DC', 1, 'Information confidentiality', ['validate'], 'cleartext protocols across boundaries are reported (rule cleartext-protocol)', ['cleartext-protocol']),
  r('SR 4.1 RE 1', 'DC', 2, 'Confidentiality at rest or in transit over untrusted networks'),
  r('SR 4.1 RE 2', 'DC', 4, 'Confidentiality protection across zone boundaries', ['validate'], 'every conduit flow is checked for an encrypting protocol or security mode', ['cleartext-protocol']),
  r('SR 4.2', 'DC', 2, 'Information persistence'),
  r('SR 4.2 RE 1', 'DC', 3, 'Purging of shared memory resources'),
  r('SR 4.3', 'DC', 1, 'Use of cryptography'),
  r('SR 5.1', 'RDF', 1, 'Network segmentation', ['validate'], 'zones, subnets and VLANs are disjoint and every asset lies in its zone (partitioning and addressing rules)', PARTITION),
  r('SR 5.1 RE 1', 'RDF', 2, 'Physical network segmentation', ['validate', 'compile'], 'one VLAN per zone, switch ports assigned per asset (ios-switch target)', ['shared-vlan']),
  r('SR 5.1 RE 2', 'RDF', 3, 'Independence from non-control system networks', ['validate', 'verify'], 'enterprise zones reach the control zones only through the DMZ', BOUNDARY),
  r('SR 5.1 RE 3', 'RDF', 4, 'Logical and physical isolation of critical networks', ['validate'], 'safety zones have no conduit or only diode/safety-approved ones (rules safety-zone-conduit, safety-mixed-zone)', ['safety-zone-conduit', 'safety-mixed-zone']),
  r('SR 5.2', 'RDF', 1, 'Zone boundary protection', ['verify', 'probe'], 'verify proves what the firewall permits per zone pair; probe tests it live'),
  r('SR 5.2 RE 1', 'RDF', 2, 'Deny by default, allow by exception', ['verify', 'probe'], 'no prohibited-flow-permitted finding; prohibited-path probes blocked'),
  r('SR 5.2 RE 2', 'RDF', 3, 'Island mode'),
  r('SR 5.2 RE 3', 'RDF', 3, 'Fail close', ['probe'], 'diode reverse path blocked (probe diode-reverse-blocked)'),
  r('SR 5.3', 'RDF', 1, 'General purpose person-to-person communication restrictions', ['verify', 'baseline'], 'only conduit protocols cross boundaries (verify matrix, baseline violations)'),
  r('SR 5.3 RE 1', 'RDF', 3, 'Prohibit all general purpose person-to-person communications'),
  r('SR 5.4', 'RDF', 2, 'Application partitioning', ['validate'], 'safety and control functions in separate zones (rule safety-mixed-zone)', ['safety-mixed-zone', 'write-from-higher-level']),
  r('SR 6.1', 'TRE', 1, 'Audit log accessibility', ['compile'], 'denied packets logged to the logging hosts'),
  r('SR 6.1 RE 1', 'TRE', 3, 'Programmatic access to audit logs'),
  r('SR 6.2', 'TRE', 2, 'Continuous monitoring', ['baseline'], 'observed cross-zone flows classified against the conduits (baseline)'),
  r('SR 7.1', 'RA', 1, 'Denial of service protection'),
  r('SR 7.1 RE 1', 'RA', 2, 'Management of communication load'),
  r('SR 7.1 RE 2', 'RA', 3, 'Limiting denial of service effects on other systems or networks'),
  r('SR 7.2', 'RA', 1, 'Resource management'),
  r('SR 7.3', 'RA', 1, 'Control system backup'),
  r('SR 7.3 RE 1', 'RA', 2, 'Backup verification'),
  r('SR 7.3 RE 2', 'RA', 3, 'Backup automation'),
  r('SR 7.4', 'RA', 1, 'Control system recovery and reconstitution'),
  r('SR 7.5', 'RA', 1, 'Emergency power'),
  r('SR 7.6', 'RA', 1, 'Network and security configuration settings', ['compile', 'verify'], 'boundary configurations generated from the model and checked against it'),
  r('SR 7.6 RE 1', 'RA', 3, 'Machine-readable reporting of current security settings', ['verify'], 'verify --format json'),
  r('SR 7.7', 'RA', 1, 'Least functionality', ['verify', 'baseline'], 'unused and shadowed rules (verify); flows outside conduits (baseline)'),
  r('SR 7.8', 'RA', 2, 'Control system component inventory', ['inventory', 'baseline'], 'assets per zone from the model; observed hosts not in the model from baseline'),
];

/** The requirements that apply at a given SL. */
export function requirementsAt(sl: number): Requirement[] {
  return REQUIREMENTS.filter((q) => q.sl <= sl);
}
