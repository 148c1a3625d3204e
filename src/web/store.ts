/**
 * `serve --store FILE`: the flows stored by `otzones baseline --store FILE`, read with src/baseline's FlowStore.
 * The dashboard keeps the stored flows and classifies them against the model of each snapshot, so an
 * edit of the model re-judges the stored traffic without reading the store again.
 */
import { existsSync } from 'node:fs';
import type { FlowTable } from '../capture/flow-table.ts';
import { FlowStore } from '../baseline/store.ts';
import type { Loaded } from './results.ts';

export interface StoredFlows {
  /** Read only: each snapshot's baseline judges it again without changing it. */
  flows: FlowTable;
  ingests: number;
}

export async function readStore(path: string, displayName = path): Promise<Loaded<StoredFlows>> {
  if (!existsSync(path)) return { ok: false, error: `${displayName}: cannot open the flow store: no such file (write it with \`otzones baseline MODEL CAPTURE --store ${displayName}\`)` };
  let store: FlowStore;
  try {
    store = await FlowStore.open(path);
  } catch (e) {
    return { ok: false, error: `${displayName}: cannot open the flow store: ${(e as Error).message.split('\n')[0]}` };
  }
  try {
    return { ok: true, value: await store.loadAll() };
  } catch (e) {
    return { ok: false, error: `${displayName}: cannot read the flow store: ${(e as Error).message.split('\n')[0]}` };
  } finally {
    store.close();
  }
}
