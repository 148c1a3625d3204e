// The architecture graph: zones as boxes in Purdue-level lanes, conduits as lines between them.
// Hand-rolled SVG (no library): zoom with the wheel, the +/- buttons or the +/- keys, pan by dragging or with
// the arrow keys, click or Enter on a zone or conduit for its details.
import { h, s } from './dom.js';

const ZONE_W = 190;
const GAP_X = 70;
const LANE_H = 140;
const LABEL_W = 150;
const PAD = 20;

const LEVEL_NAMES = {
  0: 'L0 Process',
  1: 'L1 Control',
  2: 'L2 Supervisory',
  3: 'L3 Operations',
  3.5: 'L3.5 DMZ',
  4: 'L4 Enterprise',
  5: 'L5 Internet',
};

function clip(text, n) {
  return text.length > n ? text.slice(0, n - 1) + '…' : text;
}

/** Lanes top (highest level) to bottom, and each zone's lane span and column. */
export function layout(zones) {
  const levels = new Set();
  for (const z of zones) {
    if (!z.purdue) continue;
    levels.add(z.purdue.min);
    levels.add(z.purdue.max);
    for (let l = Math.ceil(z.purdue.min); l < z.purdue.max; l++) levels.add(l);
  }
  const lanes = [...levels].sort((a, b) => b - a).map((l) => ({ key: String(l), label: LEVEL_NAMES[l] ?? `L${l}` }));
  if (zones.some((z) => !z.purdue)) lanes.push({ key: 'none', label: 'No level' });
  const laneIndex = new Map(lanes.map((l, i) => [l.key, i]));
  // Columns: greedy, first column whose lanes are all free for this zone's span.
  const used = lanes.map(() => new Set());
  const boxes = new Map();
  const order = [...zones].sort((a, b) => (b.purdue?.max ?? -1) - (a.purdue?.max ?? -1));
  for (const z of order) {
    const top = z.purdue ? laneIndex.get(String(z.purdue.max)) : laneIndex.get('none');
    const bottom = z.purdue ? laneIndex.get(String(z.purdue.min)) : top;
    let col = 0;
    for (;;) {
      let free = true;
      for (let l = top; l <= bottom; l++) if (used[l].has(col)) free = false;
      if (free) break;
      col++;
    }
    for (let l = top; l <= bottom; l++) used[l].add(col);
    const x = LABEL_W + PAD + col * (ZONE_W + GAP_X);
    const y = PAD + top * LANE_H + 30;
    const hgt = (bottom - top + 1) * LANE_H - 60;
    boxes.set(z.id, { x, y, w: ZONE_W, h: hgt, cx: x + ZONE_W / 2, cy: y + hgt / 2 });
  }
  const cols = Math.max(1, ...used.map((u) => (u.size ? Math.max(...u) + 1 : 0)));
  const width = LABEL_W + PAD * 2 + cols * ZONE_W + (cols - 1) * GAP_X;
  const height = PAD * 2 + lanes.length * LANE_H;
  return { lanes, boxes, width, height };
}

/** Point where the segment from the centre of box `b` towards (tx, ty) leaves the box. */
function edgePoint(b, tx, ty) {
  const dx = tx - b.cx;
  const dy = ty - b.cy;
  if (dx === 0 && dy === 0) return { x: b.cx, y: b.cy };
  const sx = dx === 0 ? Infinity : b.w / 2 / Math.abs(dx);
  const sy = dy === 0 ? Infinity : b.h / 2 / Math.abs(dy);
  const k = Math.min(sx, sy);
  return { x: b.cx + dx * k, y: b.cy + dy * k };
}

/**
 * Renders the graph into `container`. `onSelect({kind: 'zone'|'conduit', id})` is called on click/Enter.
 * Returns {select(kind, id)} to highlight an element from outside.
 */
export function renderGraph(container, arch, onSelect) {
  const { lanes, boxes, width, height } = layout(arch.zones);
  const view = { k: 1, x: 0, y: 0 };
  const viewport = s('g', { class: 'viewport' });
  const svg = s('svg', {
    class: 'graph',
    viewBox: `0 0 ${width} ${height}`,
    role: 'group',
    'aria-label': `Architecture: ${arch.zones.length} zones and ${arch.conduits.length} conduits on Purdue levels. Use Tab to reach a zone or conduit, Enter for details, + and - to zoom, arrow keys to pan.`,
    tabindex: '0',
  }, viewport);
  svg.appendChild(
    s('defs', {},
      s('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: '9', refY: '5', markerWidth: '7', markerHeight: '7', orient: 'auto-start-reverse' },
        s('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrowhead' }))),
  );

  lanes.forEach((lane, i) => {
    viewport.appendChild(
      s('g', { class: `lane lane-${i % 2}` },
        s('rect', { x: '0', y: String(PAD + i * LANE_H), width: String(width), height: String(LANE_H) }),
        s('text', { x: '10', y: String(PAD + i * LANE_H + LANE_H / 2 + 4), class: 'lane-label' }, lane.label)),
    );
  });

  const zonesById = new Map(arch.zones.map((z) => [z.id, z]));
  const elements = new Map();
  const conduitLayer = s('g', { class: 'conduits' });
  const zoneLayer = s('g', { class: 'zones' });
  // Conduits on top: their lines end at the box edges, and their labels must never hide under a zone.
  viewport.appendChild(zoneLayer);
  viewport.appendChild(conduitLayer);

  const activate = (el, kind, id) => {
    el.addEventListener('click', (e) => {
      if (dragMoved) return;
      e.stopPropagation();
      onSelect({ kind, id });
    });
    el.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        onSelect({ kind, id });
      }
    });
    elements.set(`${kind}:${id}`, el);
  };

  // Conduits between the same pair of zones are fanned out (lines side by side, labels staggered along
  // the line) so that each stays visible and clickable.
  const pairKeyOf = (c) => c.connects.filter((z) => boxes.has(z)).sort().join('|');
  const pairTotal = new Map();
  for (const c of arch.conduits) pairTotal.set(pairKeyOf(c), (pairTotal.get(pairKeyOf(c)) ?? 0) + 1);
  const pairCount = new Map();
  for (const c of arch.conduits) {
    const ends = c.connects.filter((z) => boxes.has(z));
    if (ends.length < 2) continue;
    const key = pairKeyOf(c);
    const n = pairCount.get(key) ?? 0;
    pairCount.set(key, n + 1);
    const rank = n - ((pairTotal.get(key) ?? 1) - 1) / 2;
    const offset = rank * 40;
    const along = rank * 26;
    const g = s('g', {
      class: `conduit${c.diode ? ' diode' : ''}`,
      tabindex: '0',
      role: 'button',
      'data-id': c.id,
      'aria-label': `Conduit ${c.id}: ${c.name}, connects ${c.connects.join(', ')}${c.diode ? ', data diode' : ''}`,
    }, s('title', {}, `${c.id} — ${c.name}`));
    let labelAt;
    if (ends.length === 2) {
      const a = boxes.get(ends[0]);
      const b = boxes.get(ends[1]);
      // Offset perpendicular to the line between the centres.
      const dx = b.cx - a.cx;
      const dy = b.cy - a.cy;
      const len = Math.hypot(dx, dy) || 1;
      const ox = (-dy / len) * offset;
      const oy = (dx / len) * offset;
      const p1 = edgePoint(a, b.cx + ox, b.cy + oy);
      const p2 = edgePoint(b, a.cx + ox, a.cy + oy);
      const d = `M${p1.x + ox},${p1.y + oy} L${p2.x + ox},${p2.y + oy}`;
      const diodeFromFirst = c.diode && c.diode.from === ends[0];
      g.appendChild(s('path', { d, class: 'hit' }));
      g.appendChild(
        s('path', {
          d: c.diode && !diodeFromFirst ? `M${p2.x + ox},${p2.y + oy} L${p1.x + ox},${p1.y + oy}` : d,
          class: 'line',
          'marker-end': c.diode ? 'url(#arrow)' : null,
        }),
      );
      labelAt = { x: (p1.x + p2.x) / 2 + ox + (dx / len) * along, y: (p1.y + p2.y) / 2 + oy + (dy / len) * along };
    } else {
      const cx = ends.reduce((t, z) => t + boxes.get(z).cx, 0) / ends.length;
      const cy = ends.reduce((t, z) => t + boxes.get(z).cy, 0) / ends.length + offset;
      for (const z of ends) {
        const p = edgePoint(boxes.get(z), cx, cy);
        const d = `M${cx},${cy} L${p.x},${p.y}`;
        g.appendChild(s('path', { d, class: 'hit' }));
        g.appendChild(s('path', { d, class: 'line' }));
      }
      g.appendChild(s('circle', { cx: String(cx), cy: String(cy), r: '6', class: 'junction' }));
      labelAt = { x: cx, y: cy - 12 };
    }
    const label = clip(c.id, 24);
    const lw = label.length * 6.6 + 12;
    g.appendChild(s('rect', { x: String(labelAt.x - lw / 2), y: String(labelAt.y - 10), width: String(lw), height: '20', rx: '4', class: 'label-bg' }));
    g.appendChild(s('text', { x: String(labelAt.x), y: String(labelAt.y + 4), class: 'conduit-label', 'text-anchor': 'middle' }, label));
    conduitLayer.appendChild(g);
    activate(g, 'conduit', c.id);
  }

  for (const z of arch.zones) {
    const b = boxes.get(z.id);
    const sl = z.sl_t ? `SL-T ${z.sl_t.level}` : 'SL-T —';
    const g = s('g', {
      class: `zone${z.safety ? ' safety' : ''}`,
      tabindex: '0',
      role: 'button',
      'data-id': z.id,
      'aria-label': `Zone ${z.id}: ${z.name}, ${sl}${z.safety ? ', safety zone' : ''}, ${z.assets.length} asset entries`,
    },
    s('title', {}, `${z.id} — ${z.name}`),
    s('rect', { x: String(b.x), y: String(b.y), width: String(b.w), height: String(b.h), rx: '8', class: 'box' }),
    s('text', { x: String(b.x + 10), y: String(b.y + 22), class: 'zone-id' }, clip(z.id, 22)),
    s('text', { x: String(b.x + 10), y: String(b.y + 40), class: 'zone-name' }, clip(z.name, 28)),
    s('text', { x: String(b.x + 10), y: String(b.y + 58), class: 'zone-meta' },
      `${sl} · ${z.assets.length} asset${z.assets.length === 1 ? '' : 's'}${z.vlan ? ` · VLAN ${z.vlan}` : ''}`),
    z.safety ? s('text', { x: String(b.x + b.w - 10), y: String(b.y + 22), class: 'zone-flag', 'text-anchor': 'end' }, '⚠ SIS') : null,
    );
    zoneLayer.appendChild(g);
    activate(g, 'zone', z.id);
  }

  // Zoom and pan.
  const apply = () => viewport.setAttribute('transform', `translate(${view.x} ${view.y}) scale(${view.k})`);
  const zoomAt = (factor, px, py) => {
    const k = Math.min(8, Math.max(0.2, view.k * factor));
    const f = k / view.k;
    view.x = px - (px - view.x) * f;
    view.y = py - (py - view.y) * f;
    view.k = k;
    apply();
  };
  const svgPoint = (e) => {
    const r = svg.getBoundingClientRect();
    return { x: ((e.clientX - r.left) / r.width) * width, y: ((e.clientY - r.top) / r.height) * height };
  };
  svg.addEventListener('wheel', (e) => {
    e.preventDefault();
    const p = svgPoint(e);
    zoomAt(e.deltaY < 0 ? 1.15 : 1 / 1.15, p.x, p.y);
  }, { passive: false });
  let drag = null;
  let dragMoved = false;
  svg.addEventListener('pointerdown', (e) => {
    drag = { ...svgPoint(e), vx: view.x, vy: view.y };
    dragMoved = false;
  });
  svg.addEventListener('pointermove', (e) => {
    if (!drag) return;
    const p = svgPoint(e);
    if (Math.abs(p.x - drag.x) + Math.abs(p.y - drag.y) > 4) dragMoved = true;
    if (!dragMoved) return;
    view.x = drag.vx + (p.x - drag.x);
    view.y = drag.vy + (p.y - drag.y);
    apply();
  });
  const endDrag = () => {
    drag = null;
    setTimeout(() => (dragMoved = false), 0);
  };
  svg.addEventListener('pointerup', endDrag);
  svg.addEventListener('pointerleave', endDrag);
  const keys = (e) => {
    const step = 40;
    if (e.key === '+' || e.key === '=') zoomAt(1.2, width / 2, height / 2);
    else if (e.key === '-' || e.key === '_') zoomAt(1 / 1.2, width / 2, height / 2);
    else if (e.key === '0') Object.assign(view, { k: 1, x: 0, y: 0 });
    else if (e.key === 'ArrowLeft') view.x += step;
    else if (e.key === 'ArrowRight') view.x -= step;
    else if (e.key === 'ArrowUp') view.y += step;
    else if (e.key === 'ArrowDown') view.y -= step;
    else return;
    e.preventDefault();
    apply();
  };
  svg.addEventListener('keydown', keys);

  const toolbar = h('div', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Zoom' },
    h('button', { type: 'button', onclick: () => zoomAt(1.2, width / 2, height / 2), 'aria-label': 'Zoom in' }, '+'),
    h('button', { type: 'button', onclick: () => zoomAt(1 / 1.2, width / 2, height / 2), 'aria-label': 'Zoom out' }, '−'),
    h('button', { type: 'button', onclick: () => { Object.assign(view, { k: 1, x: 0, y: 0 }); apply(); }, 'aria-label': 'Reset zoom' }, 'Fit'),
    h('span', { class: 'hint' }, 'wheel or +/− to zoom, drag or arrow keys to pan'),
  );
  const legend = h('div', { class: 'legend', 'aria-label': 'Legend' },
    h('span', { class: 'key key-zone' }, 'zone'),
    h('span', { class: 'key key-safety' }, '⚠ safety zone'),
    h('span', { class: 'key key-conduit' }, '— conduit'),
    h('span', { class: 'key key-diode' }, '- - ▶ data diode (one way)'),
  );
  container.appendChild(toolbar);
  container.appendChild(h('div', { class: 'graph-wrap' }, svg));
  container.appendChild(legend);
  apply();

  return {
    select(kind, id) {
      for (const el of elements.values()) el.classList.remove('selected');
      const el = elements.get(`${kind}:${id}`);
      if (el) el.classList.add('selected');
    },
    zonesById,
  };
}
