/**
 * The zone diagram as SVG, laid out here (no Graphviz, no system dependency): Purdue levels as horizontal
 * bands (enterprise at the top), zones as boxes with SL-T and asset counts, conduits as edges labelled with
 * their protocols, diodes as one-way arrows, and traffic the conduits do not allow (from verify or baseline)
 * as red dashed edges with a "✗" label, so it reads without colour too. Deterministic output.
 */
import type { Conduit, Model, Zone } from '../model/types.ts';
import { compilePolicy, portsText, type PolicyIR } from '../policy/ir.ts';
import { describeVector } from '../risk/check.ts';
import type { ZonePairViolation } from './build.ts';

export interface DiagramOptions {
  violations?: ZonePairViolation[];
  ir?: PolicyIR;
}

const BOX_W = 210;
const BOX_H = 78;
const GAP_X = 70;
const BAND_H = 170;
const LEFT = 120;
const TOP = 44;
const CHAR_W = 6.2;

export function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function fit(s: string, px: number, charW = CHAR_W): string {
  const max = Math.max(4, Math.floor(px / charW));
  return s.length <= max ? s : s.slice(0, max - 1) + '…';
}

interface Band {
  key: string;
  label: string;
  mid: number;
  zones: Zone[];
}

function bandOf(z: Zone): { key: string; label: string; mid: number } {
  if (!z.purdue) return { key: 'none', label: 'Level not given', mid: -1 };
  const { min, max } = z.purdue;
  const t = min === max ? `${min}` : `${min}-${max}`;
  return { key: t, label: `Level ${t}`, mid: (min + max) / 2 };
}

const LEVEL_NAMES: Record<string, string> = { '0': 'process', '1': 'basic control', '2': 'supervisory', '3': 'operations', '3.5': 'industrial DMZ', '4': 'enterprise', '5': 'enterprise' };

interface Box {
  zone: Zone;
  x: number;
  y: number;
  band: number;
}

interface Edge {
  a: string;
  b: string;
  label: string;
  /** Arrows: 'a>b', 'b>a', 'both', or 'none'. */
  arrows: 'a>b' | 'b>a' | 'both' | 'none';
  diode: boolean;
  violation: boolean;
  /** An edge that exists only because of a violation (no conduit joins the pair). */
  onlyViolation: boolean;
  title: string;
}

function conduitEdges(c: Conduit, ir: PolicyIR, violations: ZonePairViolation[]): Edge[] {
  const zones = [...new Set(c.connects)];
  const out: Edge[] = [];
  for (let i = 0; i < zones.length; i++) {
    for (let j = i + 1; j < zones.length; j++) {
      const a = zones[i]!;
      const b = zones[j]!;
      const rules = ir.rules.filter((r) => r.conduitId === c.id && ((r.fromZone === a && r.toZone === b) || (r.fromZone === b && r.toZone === a)));
      const ab = rules.some((r) => r.fromZone === a);
      const ba = rules.some((r) => r.fromZone === b);
      const protos = [...new Set(rules.map((r) => `${r.protocol} ${r.transport === 'icmp' ? 'icmp' : portsText(r.ports)}${r.app.modbusFunctionCodes ? ` fc${r.app.modbusFunctionCodes.join(',')}` : ''}`))];
      const v = violations.filter((x) => (x.from === a && x.to === b) || (x.from === b && x.to === a));
      const diode = !!c.diode;
      const arrows = diode ? (c.diode!.from === a ? 'a>b' : 'b>a') : ab && ba ? 'both' : ab ? 'a>b' : ba ? 'b>a' : 'none';
      const vText = v.length ? ` ✗ ${v.map((x) => `${x.source} ${x.count}`).join(', ')}` : '';
      out.push({
        a, b, arrows, diode, violation: v.length > 0, onlyViolation: false,
        label: `${c.id}${diode ? ' (DIODE)' : ''}: ${protos.length ? protos.join('; ') : 'no flows'}${vText}`,
        title: `${c.id} ${c.name}${c.slT ? `, SL-T ${describeVector(c.slT)}` : ''}`,
      });
    }
  }
  return out;
}

/** Orders zones within bands by the mean position of their neighbours (a few sweeps), so edges cross less. */
function orderBands(bands: Band[], edges: Edge[]): void {
  const nbrs = new Map<string, string[]>();
  for (const e of edges) {
    nbrs.set(e.a, [...(nbrs.get(e.a) ?? []), e.b]);
    nbrs.set(e.b, [...(nbrs.get(e.b) ?? []), e.a]);
  }
  const pos = new Map<string, number>();
  const setPos = () => bands.forEach((b) => b.zones.forEach((z, i) => pos.set(z.id, (i + 0.5) / b.zones.length)));
  setPos();
  for (let sweep = 0; sweep < 6; sweep++) {
    const order = sweep % 2 ? [...bands].reverse() : bands;
    for (const band of order) {
      const score = new Map(
        band.zones.map((z, i) => {
          const ps = (nbrs.get(z.id) ?? []).filter((n) => !band.zones.some((x) => x.id === n)).map((n) => pos.get(n)!).filter((p) => p !== undefined);
          return [z.id, ps.length ? ps.reduce((s, p) => s + p, 0) / ps.length : (i + 0.5) / band.zones.length] as const;
        }),
      );
      band.zones.sort((x, y) => score.get(x.id)! - score.get(y.id)! || x.index - y.index);
      setPos();
    }
  }
}

export function renderDiagram(model: Model, opts: DiagramOptions = {}): string {
  const ir = opts.ir ?? compilePolicy(model);
  const violations = opts.violations ?? [];
  const byKey = new Map<string, Band>();
  for (const z of model.zones) {
    const b = bandOf(z);
    const band = byKey.get(b.key) ?? { ...b, zones: [] };
    band.zones.push(z);
    byKey.set(b.key, band);
  }
  const bands = [...byKey.values()].sort((a, b) => b.mid - a.mid);

  const edges: Edge[] = model.conduits.flatMap((c) => conduitEdges(c, ir, violations));
  const known = new Set(model.zones.map((z) => z.id));
  const pairs = new Map<string, ZonePairViolation[]>();
  for (const v of violations) {
    if (!known.has(v.from) || !known.has(v.to)) continue;
    const joined = edges.some((e) => (e.a === v.from && e.b === v.to) || (e.a === v.to && e.b === v.from));
    if (joined) continue;
    const k = `${v.from}>${v.to}`;
    pairs.set(k, [...(pairs.get(k) ?? []), v]);
  }
  for (const [, vs] of [...pairs].sort(([a], [b]) => a.localeCompare(b))) {
    const v = vs[0]!;
    edges.push({
      a: v.from, b: v.to, arrows: 'a>b', diode: false, violation: true, onlyViolation: true,
      label: `✗ NO CONDUIT: ${vs.map((x) => `${x.source} ${x.count}`).join(', ')}`,
      title: `traffic from ${v.from} to ${v.to} that no conduit allows`,
    });
  }
  orderBands(bands, edges);

  const maxPerBand = Math.max(...bands.map((b) => b.zones.length));
  const innerW = Math.max(720, maxPerBand * BOX_W + (maxPerBand - 1) * GAP_X);
  const width = LEFT + innerW + 60;
  const height = TOP + bands.length * BAND_H + 44;
  const boxes = new Map<string, Box>();
  bands.forEach((band, bi) => {
    const rowW = band.zones.length * BOX_W + (band.zones.length - 1) * GAP_X;
    const x0 = LEFT + (innerW - rowW) / 2;
    band.zones.forEach((z, i) => boxes.set(z.id, { zone: z, x: x0 + i * (BOX_W + GAP_X), y: TOP + bi * BAND_H + (BAND_H - BOX_H) / 2, band: bi }));
  });

  const s: string[] = [];
  s.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Arial, Helvetica, sans-serif" font-size="11">`);
  s.push(`<title>${xmlEscape(`${model.facility}: security zones and conduits`)}</title>`);
  s.push('<defs>');
  s.push('<marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="11" markerHeight="11" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#334"/></marker>');
  s.push('<marker id="arrow-red" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="12" markerHeight="12" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#c00"/></marker>');
  s.push('<marker id="diode" viewBox="0 0 12 12" refX="11" refY="6" markerUnits="userSpaceOnUse" markerWidth="16" markerHeight="16" orient="auto"><path d="M0,0 L11,6 L0,12 z" fill="#06c"/><path d="M11,0 L11,12" stroke="#06c" stroke-width="2"/></marker>');
  s.push('<pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff4f4"/><line x1="0" y1="0" x2="0" y2="6" stroke="#e99" stroke-width="2"/></pattern>');
  s.push('</defs>');
  s.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#fff"/>`);
  s.push(`<text x="${LEFT}" y="28" font-size="16" font-weight="bold">${xmlEscape(fit(`${model.facility}: zones and conduits`, innerW, 9))}</text>`);
  s.push(`<text x="${LEFT}" y="${height - 28}" fill="#555">${xmlEscape(fit('Boxes: zones (SL-T, asset count). Edges: conduits with their protocols; arrows point from initiator to responder.', innerW))}</text>`);
  s.push(`<text x="${LEFT}" y="${height - 12}" fill="#555">${xmlEscape(fit('Thick blue edge, barred arrow: data diode (one-way). Red dashed edge marked ✗: traffic no conduit allows.', innerW))}</text>`);
  bands.forEach((band, bi) => {
    const y = TOP + bi * BAND_H;
    s.push(`<rect x="10" y="${y}" width="${width - 20}" height="${BAND_H}" fill="${bi % 2 ? '#f4f6f9' : '#e9edf3'}" stroke="#c8cfd9"/>`);
    s.push(`<text x="20" y="${y + 24}" font-size="13" font-weight="bold" fill="#345">${xmlEscape(band.label)}</text>`);
    const name = LEVEL_NAMES[band.key];
    if (name) s.push(`<text x="20" y="${y + 40}" fill="#567">${xmlEscape(name)}</text>`);
  });

  // Parallel edges between the same pair are spread apart.
  const pairCount = new Map<string, number>();
  const pairIndex = new Map<Edge, number>();
  for (const e of edges) {
    const k = [e.a, e.b].sort().join('|');
    pairIndex.set(e, pairCount.get(k) ?? 0);
    pairCount.set(k, (pairCount.get(k) ?? 0) + 1);
  }
  const labels: string[] = [];
  for (const e of edges) {
    const A = boxes.get(e.a);
    const B = boxes.get(e.b);
    if (!A || !B) continue;
    const k = [e.a, e.b].sort().join('|');
    const n = pairCount.get(k)!;
    const rank = pairIndex.get(e)! - (n - 1) / 2;
    const off = rank * 36;
    let d: string;
    let lx: number;
    let ly: number;
    if (A.band === B.band) {
      const [L, R] = A.x < B.x ? [A, B] : [B, A];
      const x1 = L.x + BOX_W / 2 + off / 2;
      const x2 = R.x + BOX_W / 2 + off / 2;
      const yb = L.y + BOX_H;
      const dip = 40 + Math.abs(off);
      d = `M${x1},${yb} C${x1},${yb + dip} ${x2},${yb + dip} ${x2},${yb}`;
      lx = (x1 + x2) / 2;
      ly = yb + dip * 0.75 + 4 + rank * 20;
      if (L !== A) d = `M${x2},${yb} C${x2},${yb + dip} ${x1},${yb + dip} ${x1},${yb}`;
    } else {
      const [U, D] = A.band < B.band ? [A, B] : [B, A];
      const x1 = U.x + BOX_W / 2 + off;
      const y1 = U.y + BOX_H;
      const x2 = D.x + BOX_W / 2 + off;
      const y2 = D.y;
      const my = (y1 + y2) / 2;
      const pathUD = `M${x1},${y1} C${x1},${my} ${x2},${my} ${x2},${y2}`;
      const pathDU = `M${x2},${y2} C${x2},${my} ${x1},${my} ${x1},${y1}`;
      d = U === A ? pathUD : pathDU;
      lx = (x1 + x2) / 2;
      ly = my + rank * 20;
    }
    const color = e.violation ? '#c00' : e.diode ? '#06c' : '#334';
    const dash = e.violation ? ' stroke-dasharray="7 4"' : '';
    const widthPx = e.diode ? 3 : e.violation ? 2.2 : 1.6;
    const marker = e.diode ? 'url(#diode)' : e.violation ? 'url(#arrow-red)' : 'url(#arrow)';
    const ends = e.arrows === 'both' ? ` marker-start="${marker}" marker-end="${marker}"` : e.arrows === 'a>b' ? ` marker-end="${marker}"` : e.arrows === 'b>a' ? ` marker-start="${marker}"` : '';
    s.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="${widthPx}"${dash}${ends}><title>${xmlEscape(e.title)}</title></path>`);
    const text = fit(e.label, BOX_W + GAP_X - 10);
    const tw = text.length * CHAR_W + 8;
    labels.push(
      `<g><title>${xmlEscape(e.label)}</title><rect x="${(lx - tw / 2).toFixed(1)}" y="${(ly - 9).toFixed(1)}" width="${tw.toFixed(1)}" height="16" rx="3" fill="${e.violation ? 'url(#hatch)' : '#fff'}" stroke="${color}" stroke-width="0.8"/>` +
        `<text x="${lx.toFixed(1)}" y="${(ly + 3).toFixed(1)}" text-anchor="middle" fill="${e.violation ? '#900' : '#223'}"${e.violation ? ' font-weight="bold"' : ''}>${xmlEscape(text)}</text></g>`,
    );
  }
  for (const { zone: z, x, y } of boxes.values()) {
    const assets = z.assets.reduce((n, a) => n + a.count, 0);
    const sl = z.slT ? `SL-T ${describeVector(z.slT).replace(/^SL /, '')}` : 'SL-T not declared';
    const fill = z.safety ? '#fff7e0' : '#ffffff';
    const stroke = z.safety ? '#b80' : '#345';
    s.push(`<g><title>${xmlEscape(`${z.id}: ${z.name}`)}</title>`);
    s.push(`<rect x="${x}" y="${y}" width="${BOX_W}" height="${BOX_H}" rx="6" fill="${fill}" stroke="${stroke}" stroke-width="${z.safety ? 2.5 : 1.5}"/>`);
    s.push(`<text x="${x + 10}" y="${y + 19}" font-size="12" font-weight="bold">${xmlEscape(fit(z.id, BOX_W - 20, 7.4))}</text>`);
    s.push(`<text x="${x + 10}" y="${y + 37}">${xmlEscape(fit(z.name, BOX_W - 20))}</text>`);
    s.push(`<text x="${x + 10}" y="${y + 55}" fill="#333">${xmlEscape(fit(`${sl} · ${assets} asset${assets === 1 ? '' : 's'}${z.vlan !== undefined ? ` · VLAN ${z.vlan}` : ''}`, BOX_W - 20))}</text>`);
    const tags = [z.safety ? 'SAFETY' : '', edges.some((e) => e.a === z.id || e.b === z.id) ? '' : 'isolated: no conduit'].filter(Boolean).join(' · ');
    if (tags) s.push(`<text x="${x + 10}" y="${y + 70}" fill="#850" font-weight="bold">${xmlEscape(tags)}</text>`);
    s.push('</g>');
  }
  s.push(...labels);
  s.push('</svg>');
  return s.join('\n') + '\n';
}
