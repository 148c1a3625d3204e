/** Lookups over the normalized model shared by several rules. */
import { parsePath } from '../model/positions.ts';
import { parsePrefix, type Prefix } from '../net/ip.ts';
import type { Asset, Conduit, Flow, Model, Zone } from '../model/types.ts';

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

/** The value at a model path in the parsed YAML (`conduits[0].protocols_allowed[1].from`), or undefined. */
export function rawAt(model: Model, path: string): unknown {
  let v: unknown = model.raw;
  for (const seg of parsePath(path)) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

/**
 * Where the k-th `from`/`to` endpoint of a flow is written: `…from[k]` for a list, `…from` for a scalar,
 * `…direction` when the seed dialect's direction text named it, else the flow itself.
 */
export function endpointPath(model: Model, flow: Flow, side: 'from' | 'to', k: number): string {
  const v = rawAt(model, `${flow.path}.${side}`);
  if (Array.isArray(v)) return `${flow.path}.${side}[${k}]`;
  if (v !== undefined) return `${flow.path}.${side}`;
  if (rawAt(model, `${flow.path}.direction`) !== undefined) return `${flow.path}.direction`;
  return flow.path;
}

/** Zones a flow side lies in (unknown ids are skipped: they are the unknown-reference rule's business). */
export function endpointZones(idx: ModelIndex, ids: readonly string[]): Zone[] {
  const out: Zone[] = [];
  for (const id of ids) {
    const z = zoneOfEndpoint(idx, id);
    if (z && !out.includes(z)) out.push(z);
  }
  return out;
}

/** "level 2", "levels 1-2", "level 3.5 (DMZ)". */
export function levelText(z: Zone): string {
  if (!z.purdue) return 'no Purdue level';
  if (z.purdue.min === z.purdue.max) return `level ${z.purdue.min}${isDmz(z) ? ' (DMZ)' : ''}`;
  return `levels ${z.purdue.min}-${z.purdue.max}`;
}

/** The zones a conduit's `connects` names, with their index in the list; unknown and repeated ids skipped. */
export function connectedZones(idx: ModelIndex, c: Conduit): { zone: Zone; k: number }[] {
  const out: { zone: Zone; k: number }[] = [];
  c.connects.forEach((id, k) => {
    const zone = idx.zones.get(id);
    if (zone && !out.some((e) => e.zone === zone)) out.push({ zone, k });
  });
  return out;
}

/** Where the i-th address of an asset is written: `…ip` for a scalar, `…ip[i]` for a list. */
export function assetIpPath(model: Model, asset: Asset, i: number): string {
  return Array.isArray(rawAt(model, `${asset.path}.ip`)) ? `${asset.path}.ip[${i}]` : `${asset.path}.ip`;
}

/**
 * Parsed addresses with their index in the written list (`ip`, `subnets`). The loader drops invalid entries from
 * `prefixes`, so the two lists are realigned when they differ in length.
 */
export function alignedPrefixes(texts: readonly string[], prefixes: readonly Prefix[]): { p: Prefix; i: number }[] {
  if (prefixes.length === texts.length) return prefixes.map((p, i) => ({ p, i }));
  const out: { p: Prefix; i: number }[] = [];
  texts.forEach((t, i) => {
    const r = parsePrefix(t);
    if (r.ok) out.push({ p: r.value, i });
  });
  return out;
}

export function assetPrefixes(asset: Asset): { p: Prefix; i: number }[] {
  return alignedPrefixes(asset.ips, asset.prefixes);
}

/** Orders prefixes as intervals: by family, start, then end (widest first when `widerFirst`), for sort-and-sweep checks. */
export function comparePrefixes(a: Prefix, b: Prefix, widerFirst = false): number {
  const byEnd = a.hi < b.hi ? -1 : a.hi > b.hi ? 1 : 0;
  return a.family - b.family || (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0) || (widerFirst ? -byEnd : byEnd);
}
