/** Lookups over the normalized model shared by several rules. */
import type { Asset, Conduit, Model, Zone } from '../model/types.ts';

export interface ModelIndex {
  zones: Map<string, Zone>;
  assets: Map<string, Asset>;
  conduits: Map<string, Conduit>;
}

const cache = new WeakMap<Model, ModelIndex>();

/** First definition wins; duplicates are the duplicate-id rule's business. */
export function indexModel(model: Model): ModelIndex {
  let idx = cache.get(model);
  if (idx) return idx;
  idx = { zones: new Map(), assets: new Map(), conduits: new Map() };
  for (const z of model.zones) {
    if (!idx.zones.has(z.id)) idx.zones.set(z.id, z);
    for (const a of z.assets) if (a.id && !idx.assets.has(a.id)) idx.assets.set(a.id, a);
  }
  for (const c of model.conduits) if (!idx.conduits.has(c.id)) idx.conduits.set(c.id, c);
  cache.set(model, idx);
  return idx;
}

/** The zone an endpoint id (zone or asset) lies in. */
export function zoneOfEndpoint(idx: ModelIndex, id: string): Zone | undefined {
  return idx.zones.get(id) ?? (idx.assets.has(id) ? idx.zones.get(idx.assets.get(id)!.zoneId) : undefined);
}

export function isDmz(z: Zone | undefined): boolean {
  return !!z?.purdue && z.purdue.min === 3.5 && z.purdue.max === 3.5;
}

export function isEnterprise(z: Zone | undefined): boolean {
  return !!z?.purdue && z.purdue.min >= 4;
}

export function isControlLevel(z: Zone | undefined): boolean {
  return !!z?.purdue && z.purdue.max <= 3;
}
