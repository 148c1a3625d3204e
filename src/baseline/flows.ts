/**
 * Observations → flows: one per (initiator, responder, transport, responder port), with packets, bytes,
 * first/last seen and function-code counts summed over every conversation and input. The rows live in a
 * columnar FlowTable (src/capture/flow-table.ts); `aggregate` gives them as records.
 */
import type { Observation } from '../capture/observation.ts';
import { FlowTable, type AggregatedFlow } from '../capture/flow-table.ts';

export type { AggregatedFlow } from '../capture/flow-table.ts';

export function aggregate(observations: Iterable<Observation>): AggregatedFlow[] {
  return [...FlowTable.fromObservations(observations).records()];
}
