/** The registry of design rules. Each rule lives in its own file; docs/rules.md documents each code. */
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import type { Locator, Model } from '../model/types.ts';
import { runRule, type Rule } from './rule.ts';
import { duplicateId } from './duplicate-id.ts';
import { unknownReference } from './unknown-reference.ts';
import { allowedConduitsMismatch } from './allowed-conduits-mismatch.ts';
import { conduitTooFewZones } from './conduit-too-few-zones.ts';
import { overlappingSubnets } from './overlapping-subnets.ts';
import { assetOutsideZone } from './asset-outside-zone.ts';
import { sharedVlan } from './shared-vlan.ts';
import { duplicateAddress } from './duplicate-address.ts';
import { gatewayOutsideZone } from './gateway-outside-zone.ts';
import { safetyZoneConduit } from './safety-zone-conduit.ts';
import { safetyMixedZone } from './safety-mixed-zone.ts';
import { enterpriseBypassesDmz } from './enterprise-bypasses-dmz.ts';
import { purdueLevelSkip } from './purdue-level-skip.ts';
import { conduitSlBelowZone } from './conduit-sl-below-zone.ts';
import { flowOutsideConduit } from './flow-outside-conduit.ts';
import { flowAgainstDiode } from './flow-against-diode.ts';
import { writeFromHigherLevel } from './write-from-higher-level.ts';
import { cleartextProtocol } from './cleartext-protocol.ts';
import { remoteAccessWithoutJumpServer } from './remote-access-without-jump-server.ts';
import { conduitWithoutFlows } from './conduit-without-flows.ts';

/** In code order. */
export const RULES: readonly Rule[] = [
  duplicateId,
  unknownReference,
  allowedConduitsMismatch,
  conduitTooFewZones,
  overlappingSubnets,
  assetOutsideZone,
  sharedVlan,
  duplicateAddress,
  gatewayOutsideZone,
  safetyZoneConduit,
  safetyMixedZone,
  enterpriseBypassesDmz,
  purdueLevelSkip,
  conduitSlBelowZone,
  flowOutsideConduit,
  flowAgainstDiode,
  writeFromHigherLevel,
  cleartextProtocol,
  remoteAccessWithoutJumpServer,
  conduitWithoutFlows,
];

export function runRules(model: Model, locate: Locator, rules: readonly Rule[] = RULES): Diagnostic[] {
  return rules.flatMap((r) => runRule(r, model, locate));
}
