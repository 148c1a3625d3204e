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
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g, '?').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
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
  /** Second label line: the violation evidence. */
  note?: string;
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
      // Flows the IR could not lower (endpoints without addresses) are still named, from the model.
      const source = rules.length ? rules.map((r) => ({ protocol: r.protocol, transport: r.transport, ports: r.ports, fc: r.app.modbusFunctionCodes })) : c.flows.map((f) => ({ protocol: f.protocol, transport: f.transport, ports: f.ports, fc: f.functionCodes }));
      const protos = [...new Set(source.map((r) => `${r.protocol} ${r.transport === 'icmp' ? 'icmp' : portsText(r.ports)}${r.fc ? ` fc${r.fc.join(',')}` : ''}`))];
      const v = violations.filter((x) => (x.from === a && x.to === b) || (x.from === b && x.to === a));
      const diode = !!c.diode;
      const arrows = diode ? (c.diode!.from === a ? 'a>b' : 'b>a') : ab && ba ? 'both' : ab ? 'a>b' : ba ? 'b>a' : 'none';
      out.push({
        a, b, arrows, diode, violation: v.length > 0, onlyViolation: false,
        label: `${c.id}${diode ? ' (DIODE)' : ''}: ${protos.length ? protos.join('; ') : 'no flows'}`,
        note: v.length ? `✗ not allowed: ${v.map((x) => `${x.source} ${x.count}`).join(', ')}` : undefined,
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
      label: `✗ NO CONDUIT ${v.from} → ${v.to}`,
      note: vs.map((x) => `${x.source} ${x.count}`).join(', '),
      title: `traffic from ${v.from} to ${v.to} that no conduit allows`,
    });
  }
  orderBands(bands, edges);

  const maxPerBand = Math.max(...bands.map((b) => b.zones.length));
  const innerW = Math.max(720, maxPerBand * BOX_W + (maxPerBand - 1) * GAP_X);
  // Edges that skip a band run in lanes right of the boxes, with their labels in a column beyond the lanes.
  const bandIndex = new Map(bands.flatMap((b, i) => b.zones.map((z) => [z.id, i] as const)));
  const long = edges.filter((e) => Math.abs((bandIndex.get(e.a) ?? 0) - (bandIndex.get(e.b) ?? 0)) > 1);
  const LANE_W = 16;
  const laneX0 = LEFT + innerW + 24;
  const labelX = laneX0 + long.length * LANE_W + 14;
  const labelW = long.length ? Math.min(360, Math.max(...long.map((e) => Math.max(e.label.length, (e.note ?? '').length))) * CHAR_W * 1.2 + 18) : 0;
  const width = long.length ? labelX + labelW + 20 : LEFT + innerW + 60;
  const height = TOP + bands.length * BAND_H + 44;
  const boxes = new Map<string, Box>();
  bands.forEach((band, bi) => {
    const rowW = band.zones.length * BOX_W + (band.zones.length - 1) * GAP_X;
    const x0 = LEFT + (innerW - rowW) / 2;
    band.zones.forEach((z, i) => boxes.set(z.id, { zone: z, x: x0 + i * (BOX_W + GAP_X), y: TOP + bi * BAND_H + (BAND_H - BOX_H) / 2, band: bi }));
  });

  const s: string[] = [];
  s.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Arial, Helvetica, sans-serif" font-size="11" role="img" aria-labelledby="otz-title">`);
  s.push(`<title id="otz-title">${xmlEscape(`${model.facility}: security zones and conduits`)}</title>`);
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
  // Ports: the edges leaving a box through its top or bottom side are spread along it, ordered by where
  // their other end lies, so fan-in at a shared zone stays readable.
  const ports = new Map<string, number>();
  {
    const sides = new Map<string, { e: Edge; other: number; idx: number }[]>();
    edges.forEach((e, idx) => {
      const A = boxes.get(e.a);
      const B = boxes.get(e.b);
      if (!A || !B || Math.abs(A.band - B.band) !== 1) return;
      for (const [me, other] of [[A, B], [B, A]] as const) {
        const key = `${me.zone.id}|${me.band < other.band ? 'bottom' : 'top'}`;
        sides.set(key, [...(sides.get(key) ?? []), { e, other: other.x, idx }]);
      }
    });
    for (const [key, list] of sides) {
      const id = key.split('|')[0]!;
      const box = boxes.get(id)!;
      list.sort((p, q) => p.other - q.other || p.idx - q.idx);
      list.forEach((p, i) => ports.set(`${id}|${edges.indexOf(p.e)}`, list.length === 1 ? box.x + BOX_W / 2 : box.x + 30 + ((BOX_W - 60) * i) / (list.length - 1)));
    }
  }
  const labels: string[] = [];
  /** Placed label rectangles, so a label can slide along its edge instead of covering another. */
  const placed: { x: number; y: number; w: number; h: number }[] = [];
  const collides = (r: { x: number; y: number; w: number; h: number }) =>
    placed.some((p) => r.x < p.x + p.w && p.x < r.x + r.w && r.y < p.y + p.h && p.y < r.y + r.h) ||
    [...boxes.values()].some((b) => r.x < b.x + BOX_W && b.x < r.x + r.w && r.y < b.y + BOX_H && b.y < r.y + r.h);
  for (const e of edges) {
    const A = boxes.get(e.a);
    const B = boxes.get(e.b);
    if (!A || !B) continue;
    const k = [e.a, e.b].sort().join('|');
    const n = pairCount.get(k)!;
    const rank = pairIndex.get(e)! - (n - 1) / 2;
    const off = rank * 36;
    const color = e.violation ? '#c00' : e.diode ? '#06c' : '#334';
    const lines = [e.label, ...(e.note ? [e.note] : [])];
    let d: string;
    let lx: number;
    let ly: number;
    let anchor: 'middle' | 'start' = 'middle';
    let bezier: number[] | undefined;
    let maxText = BOX_W + GAP_X - 10;
    const lane = long.indexOf(e);
    if (lane >= 0) {
      const [U, D] = A.band < B.band ? [A, B] : [B, A];
      const x = laneX0 + lane * LANE_W;
      const xu = U.x + BOX_W / 2 + 24 + lane * 6;
      const xd = D.x + BOX_W / 2 + 24 + lane * 6;
      const yu = U.y + BOX_H + 16 + lane * 6;
      const yd = D.y - 16 - lane * 6;
      const pts = [[xu, U.y + BOX_H], [xu, yu], [x, yu], [x, yd], [xd, yd], [xd, D.y]];
      const seq = U === A ? pts : [...pts].reverse();
      d = 'M' + seq.map(([px, py]) => `${px},${py}`).join(' L');
      lx = labelX;
      ly = (yu + yd) / 2;
      anchor = 'start';
      maxText = labelW;
      labels.push(`<path d="M${x},${ly} L${labelX - 2},${ly}" stroke="${color}" stroke-width="0.6" stroke-dasharray="2 2" fill="none"/>`);
    } else if (A.band === B.band) {
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
      const ei = edges.indexOf(e);
      const x1 = ports.get(`${U.zone.id}|${ei}`) ?? U.x + BOX_W / 2 + off;
      const y1 = U.y + BOX_H;
      const x2 = ports.get(`${D.zone.id}|${ei}`) ?? D.x + BOX_W / 2 + off;
      const y2 = D.y;
      const my = (y1 + y2) / 2;
      const pathUD = `M${x1},${y1} C${x1},${my} ${x2},${my} ${x2},${y2}`;
      const pathDU = `M${x2},${y2} C${x2},${my} ${x1},${my} ${x1},${y1}`;
      d = U === A ? pathUD : pathDU;
      lx = (x1 + x2) / 2;
      ly = my + rank * (14 * lines.length + 6) - (lines.length - 1) * 7;
      bezier = [x1, y1, x2, y2, my];
    }
    const dash = e.violation ? ' stroke-dasharray="7 4"' : '';
    const widthPx = e.diode ? 3 : e.violation ? 2.2 : 1.6;
    const marker = e.diode ? 'url(#diode)' : e.violation ? 'url(#arrow-red)' : 'url(#arrow)';
    const ends = e.arrows === 'both' ? ` marker-start="${marker}" marker-end="${marker}"` : e.arrows === 'a>b' ? ` marker-end="${marker}"` : e.arrows === 'b>a' ? ` marker-start="${marker}"` : '';
    s.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="${widthPx}"${dash}${ends}><title>${xmlEscape(e.title)}</title></path>`);
    const texts = lines.map((t) => fit(t, maxText));
    const tw = Math.max(...texts.map((t) => t.length)) * CHAR_W * (e.violation ? 1.1 : 1) + 8;
    const h = 14 * texts.length + 2;
    if (bezier) {
      const [x1, y1, x2, y2, my] = bezier as [number, number, number, number, number];
      const at = (t: number) => {
        const u = 1 - t;
        return [u * u * u * x1 + 3 * u * u * t * x1 + 3 * u * t * t * x2 + t * t * t * x2, u * u * u * y1 + 3 * u * u * t * my + 3 * u * t * t * my + t * t * t * y2] as const;
      };
      let found = false;
      for (const dy of [0, -h - 2, h + 2]) {
        for (const t of [0.5, 0.35, 0.65, 0.22, 0.78, 0.12, 0.88]) {
          const [px, py] = at(t);
          if (!collides({ x: px - tw / 2, y: py + dy - 9, w: tw, h })) {
            [lx, ly] = [px, py + dy];
            found = true;
            break;
          }
        }
        if (found) break;
      }
    }
    const rx = anchor === 'middle' ? lx - tw / 2 : lx;
    placed.push({ x: rx, y: ly - 9, w: tw, h });
    const tx = anchor === 'middle' ? lx : lx + 4;
    labels.push(
      `<g><title>${xmlEscape(lines.join(' '))}</title><rect x="${rx.toFixed(1)}" y="${(ly - 9).toFixed(1)}" width="${tw.toFixed(1)}" height="${h}" rx="3" fill="${e.violation ? 'url(#hatch)' : '#fff'}" stroke="${color}" stroke-width="0.8"/>` +
        texts.map((t, i) => `<text x="${tx.toFixed(1)}" y="${(ly + 3 + i * 14).toFixed(1)}" text-anchor="${anchor}" fill="${e.violation ? '#900' : '#223'}"${e.violation && (i > 0 || e.onlyViolation) ? ' font-weight="bold"' : ''}>${xmlEscape(t)}</text>`).join('') +
        '</g>',
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
