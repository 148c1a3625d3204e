// The otzones dashboard: a single page over the JSON API of `otzones serve` (docs/web.md).
// Plain ES modules, no framework, no CDN. All data is rendered as text (see dom.js).
import { h, replace, fmtInt } from './dom.js';
import { renderGraph } from './graph.js';

const VIEWS = [
  { id: 'architecture', label: 'Architecture' },
  { id: 'matrix', label: 'Zone matrix' },
  { id: 'diagnostics', label: 'Diagnostics' },
  { id: 'flows', label: 'Flows' },
  { id: 'verify', label: 'Verify' },
  { id: 'probe', label: 'Probe' },
  { id: 'slgaps', label: 'SL gaps' },
  { id: 'report', label: 'Report' },
];

const state = { meta: null, arch: null, view: 'architecture', generation: 0, flowQuery: { offset: 0, limit: 50 }, lastFocus: null };
const $ = (sel) => document.querySelector(sel);

// Keep the access token out of the address bar once the server has set its cookie.
if (new URLSearchParams(location.search).has('token')) history.replaceState(null, '', location.pathname + location.hash);

async function api(path) {
  const r = await fetch(path, { credentials: 'same-origin' });
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
  return r.json();
}

function announce(text) {
  replace($('#status'), text);
}

// ---------------------------------------------------------------- shell

function renderNav() {
  const nav = $('#tabs');
  replace(nav);
  VIEWS.forEach((v) => {
    const selected = v.id === state.view;
    nav.appendChild(
      h('button', {
        type: 'button',
        role: 'tab',
        id: `tab-${v.id}`,
        'aria-selected': selected ? 'true' : 'false',
        'aria-controls': 'view',
        tabindex: selected ? '0' : '-1',
        'data-view': v.id,
        onclick: () => go(v.id),
      }, v.label),
    );
  });
}

// Arrow keys move between tabs (WAI-ARIA tabs pattern); Enter/Space or click opens one.
document.addEventListener('keydown', (e) => {
  const tab = e.target.closest && e.target.closest('[role=tab]');
  if (tab && (e.key === 'ArrowRight' || e.key === 'ArrowLeft' || e.key === 'Home' || e.key === 'End')) {
    const tabs = [...document.querySelectorAll('[role=tab]')];
    let i = tabs.indexOf(tab);
    if (e.key === 'ArrowRight') i = (i + 1) % tabs.length;
    else if (e.key === 'ArrowLeft') i = (i - 1 + tabs.length) % tabs.length;
    else if (e.key === 'Home') i = 0;
    else i = tabs.length - 1;
    e.preventDefault();
    go(tabs[i].dataset.view, { focusTab: true });
  }
  if (e.key === 'Escape' && !$('#details').hidden) closeDetails();
});

function go(view, { focusTab = false, keepHash = false } = {}) {
  if (!VIEWS.some((v) => v.id === view)) view = 'architecture';
  state.view = view;
  if (!keepHash && location.hash !== `#${view}`) history.replaceState(null, '', `#${view}`);
  renderNav();
  if (focusTab) $(`#tab-${view}`).focus();
  renderView();
}

function renderHeader() {
  const m = state.meta;
  replace($('#facility'), m.facility ?? 'Model cannot be used');
  const d = m.diagnostics;
  const res = (name) => {
    const r = m.results[name];
    const text = r.status === 'loaded' ? `${name}: loaded` : r.status === 'error' ? `${name}: error` : `${name}: not run`;
    return h('span', { class: `pill pill-${r.status.replace(' ', '-')}`, title: r.error ?? r.file ?? '' }, text);
  };
  replace($('#summary'),
    h('span', { class: 'file' }, m.file),
    h('span', { class: `pill ${d.errors ? 'pill-error' : 'pill-loaded'}` }, `${d.errors} error(s), ${d.warnings} warning(s), ${d.infos} info(s)`),
    res('verify'), res('baseline'), res('probe'),
  );
}

async function renderView() {
  const el = $('#view');
  el.setAttribute('aria-labelledby', `tab-${state.view}`);
  el.dataset.view = state.view;
  replace(el, h('p', { class: 'loading' }, 'Loading…'));
  try {
    await RENDER[state.view](el);
  } catch (e) {
    replace(el, h('p', { class: 'error' }, `Could not load this view: ${e.message}`));
  }
}

// ---------------------------------------------------------------- details panel

function openDetails(title, ...content) {
  const panel = $('#details');
  if (panel.hidden) state.lastFocus = document.activeElement;
  replace(panel,
    h('div', { class: 'details-head' },
      h('h2', { id: 'details-title', tabindex: '-1' }, title),
      h('button', { type: 'button', class: 'close', 'aria-label': 'Close details', onclick: closeDetails }, '✕')),
    ...content);
  panel.hidden = false;
  $('#details-title').focus();
}

function closeDetails() {
  const panel = $('#details');
  panel.hidden = true;
  replace(panel);
  if (state.lastFocus && document.contains(state.lastFocus)) state.lastFocus.focus();
}

function section(title, ...content) {
  return h('section', { class: 'block' }, h('h3', {}, title), ...content);
}

function dl(pairs) {
  return h('dl', {}, pairs.filter(([, v]) => v !== null && v !== undefined && v !== '').map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

function list(items) {
  return items.length ? h('ul', {}, items.map((x) => h('li', {}, x))) : h('p', { class: 'muted' }, 'none');
}

/** A button that shows the model lines around `line` below itself. */
function modelLine(line) {
  if (!line) return null;
  const holder = h('div', { class: 'source-holder' });
  const btn = h('button', {
    type: 'button',
    class: 'linklike model-line',
    'aria-expanded': 'false',
    onclick: async () => {
      if (btn.getAttribute('aria-expanded') === 'true') {
        btn.setAttribute('aria-expanded', 'false');
        replace(holder);
        return;
      }
      const src = await api(`/api/source?from=${Math.max(1, line - 3)}&to=${line + 5}`);
      btn.setAttribute('aria-expanded', 'true');
      replace(holder, h('pre', { class: 'source', 'aria-label': `${state.meta.file} around line ${line}` },
        src.lines.map((text, i) => {
          const n = src.first + i;
          return h('span', { class: n === line ? 'src-line hl' : 'src-line' }, h('span', { class: 'ln' }, String(n).padStart(4, ' ')), ' ', text);
        })));
    },
  }, `${state.meta.file}:${line}`);
  return h('span', { class: 'model-ref' }, btn, holder);
}

function slText(sl) {
  if (!sl) return '—';
  return `SL ${sl.level} (${Object.entries(sl.vector).map(([k, v]) => `${k} ${v}`).join(', ')})`;
}

function zoneLink(id) {
  const z = state.arch?.zones.find((x) => x.id === id);
  if (!z) return h('span', {}, id);
  return h('button', { type: 'button', class: 'linklike', onclick: () => showZone(id) }, id);
}

function conduitLink(id) {
  const c = state.arch?.conduits.find((x) => x.id === id);
  if (!c) return h('span', {}, id);
  return h('button', { type: 'button', class: 'linklike', onclick: () => showConduit(id) }, id);
}

function showZone(id) {
  const z = state.arch.zones.find((x) => x.id === id);
  if (!z) return;
  state.graph?.select('zone', id);
  openDetails(`Zone ${z.id}`,
    dl([
      ['Name', z.name],
      ['Purdue level', z.purdue ? (z.purdue.min === z.purdue.max ? String(z.purdue.min) : `${z.purdue.min}–${z.purdue.max}`) : '—'],
      ['SL-T', slText(z.sl_t)],
      ['Safety zone', z.safety ? 'yes' : 'no'],
      ['Criticality', z.criticality],
      ['VLAN', z.vlan === null ? null : String(z.vlan)],
      ['Subnets', z.subnets.join(', ')],
      ['Gateway', z.gateway],
      ['Defined at', modelLine(z.line)],
    ]),
    section(`Assets (${z.assets.length})`,
      z.assets.length
        ? h('table', { class: 'data' },
          h('thead', {}, h('tr', {}, ['Id', 'Name', 'Role', 'Addresses', 'Count'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, z.assets.map((a) => h('tr', {}, h('td', {}, a.id ?? '—'), h('td', {}, a.name), h('td', {}, a.role ?? '—'), h('td', {}, a.ips.join(', ')), h('td', { class: 'num' }, String(a.count))))))
        : h('p', { class: 'muted' }, 'none')),
    section('Conduits', z.allowed_conduits === null ? h('p', { class: 'muted' }, 'allowed_conduits not declared') : list(z.allowed_conduits.map(conduitLink))),
    section('Security requirements', list(z.security_requirements)),
  );
}

function fcText(fcs) {
  return fcs ? fcs.map((f) => `${f.code} ${f.name}`).join(', ') : 'any';
}

function showConduit(id) {
  const c = state.arch.conduits.find((x) => x.id === id);
  if (!c) return;
  state.graph?.select('conduit', id);
  openDetails(`Conduit ${c.id}`,
    dl([
      ['Name', c.name],
      ['Connects', h('span', {}, c.connects.map((z, i) => [i ? ', ' : '', zoneLink(z)]))],
      ['SL-T', slText(c.sl_t)],
      ['Data diode', c.diode ? `${c.diode.from} → ${c.diode.to} only` : null],
      ['Defined at', modelLine(c.line)],
    ]),
    section(`Flows (${c.flows.length})`,
      h('table', { class: 'data' },
        h('thead', {}, h('tr', {}, ['Protocol', 'Port', 'Initiator → responder', 'Function codes', 'Line'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, c.flows.map((f) => h('tr', {},
          h('td', {}, `${f.protocol}${f.one_way ? ' (one way)' : ''}${f.security_mode ? ` [${f.security_mode}]` : ''}`),
          h('td', {}, `${f.transport}/${f.ports}`),
          h('td', {}, `${f.from.join(', ')} → ${f.to.join(', ')}`),
          h('td', {}, fcText(f.function_codes)),
          h('td', {}, modelLine(f.line))))))),
    section('Controls', list(c.controls)),
    c.compensating_controls.length ? section('Compensating controls', list(c.compensating_controls)) : null,
  );
}

// ---------------------------------------------------------------- views

async function renderArchitecture(el) {
  state.arch = state.arch ?? (await api('/api/architecture'));
  if (!state.arch.usable) {
    replace(el, h('p', { class: 'error' }, 'The model cannot be used; see Diagnostics.'));
    return;
  }
  replace(el);
  el.appendChild(h('h2', { class: 'visually-hidden' }, 'Architecture'));
  state.graph = renderGraph(el, state.arch, ({ kind, id }) => (kind === 'zone' ? showZone(id) : showConduit(id)));
}

function cellClass(c, sources) {
  if (!c) return 'empty';
  if (c.violations > 0) return 'violation';
  if (sources.permitted === 'loaded' && c.permitted && !c.allowed) return 'overpermit';
  if (c.findings > 0) return 'finding';
  if (c.allowed && sources.permitted === 'loaded' && !c.permitted) return 'blocked';
  if (c.allowed) return 'allowed';
  if (c.observed) return 'observed';
  return 'empty';
}

function cellGlyphs(c, sources) {
  if (!c) return [];
  const out = [];
  if (c.allowed) out.push(h('span', { class: 'g g-allowed' }, `A${c.allowed}`));
  if (sources.permitted === 'loaded' && c.permitted) out.push(h('span', { class: 'g g-permitted' }, 'F'));
  if (c.observed) out.push(h('span', { class: 'g g-observed' }, `O${c.observed > 999 ? '1k+' : c.observed}`));
  if (c.violations) out.push(h('span', { class: 'g g-violation' }, `!${c.violations > 999 ? '1k+' : c.violations}`));
  if (c.findings) out.push(h('span', { class: 'g g-finding' }, `⚑${c.findings}`));
  return out;
}

function cellLabel(from, to, c, sources) {
  const parts = [`${from} to ${to}`];
  if (!c) return parts.concat('nothing allowed, permitted or observed').join(': ');
  parts.push(c.allowed ? `${c.allowed} rule(s) allowed by ${c.conduits.join(', ')}` : 'not allowed by any conduit');
  parts.push(sources.permitted === 'loaded' ? (c.permitted ? `firewall permits ${c.permitted}` : 'firewall permits nothing') : 'firewall: not run');
  parts.push(sources.observed === 'loaded' ? `${c.observed} flow(s) observed, ${c.violations} violation(s)` : 'traffic: not run');
  if (c.findings) parts.push(`${c.findings} verify finding(s)`);
  return parts.join('; ');
}

async function renderMatrix(el) {
  const m = await api('/api/matrix');
  const cells = new Map(m.cells.map((c) => [`${c.from}>${c.to}`, c]));
  const src = m.sources;
  const legend = h('div', { class: 'legend matrix-legend', 'aria-label': 'Legend' },
    h('span', { class: 'key cell-allowed' }, 'A n — n rules allowed by conduits'),
    h('span', { class: 'key cell-permitted' }, `F — permitted by the firewall (${src.permitted})`),
    h('span', { class: 'key cell-observed' }, `O n — flows observed (${src.observed})`),
    h('span', { class: 'key cell-violation' }, '! n — violations'),
    h('span', { class: 'key cell-overpermit' }, 'firewall permits what no conduit allows'),
    h('span', { class: 'key cell-finding' }, '⚑ n — verify findings'),
  );
  const table = h('table', { class: 'matrix', role: 'grid', 'aria-label': 'Zone-pair matrix: rows are initiating zones, columns responding zones. Arrow keys move between cells, Enter opens one.' });
  table.appendChild(h('thead', {}, h('tr', {}, h('th', { scope: 'col', class: 'corner' }, 'from ↓ / to →'), m.zones.map((z) => h('th', { scope: 'col', title: z.name }, h('span', { class: 'vert' }, z.id))))));
  const body = h('tbody', {});
  m.zones.forEach((zf, r) => {
    body.appendChild(h('tr', {},
      h('th', { scope: 'row', title: zf.name }, zf.id),
      m.zones.map((zt, col) => {
        if (zf.id === zt.id) return h('td', { class: 'self', 'aria-label': `${zf.id} to itself` }, '·');
        const c = cells.get(`${zf.id}>${zt.id}`);
        return h('td', { class: `cell cell-${cellClass(c, src)}` },
          h('button', {
            type: 'button',
            class: 'cellbtn',
            tabindex: '-1',
            'data-from': zf.id,
            'data-to': zt.id,
            'data-row': String(r),
            'data-col': String(col),
            'aria-label': cellLabel(zf.id, zt.id, c, src),
            title: cellLabel(zf.id, zt.id, c, src),
            onclick: () => showCell(zf.id, zt.id),
          }, cellGlyphs(c, src)));
      })));
  });
  table.appendChild(body);
  const first = body.querySelector('button.cellbtn');
  if (first) first.setAttribute('tabindex', '0');
  table.addEventListener('keydown', (e) => {
    const b = e.target.closest('button.cellbtn');
    if (!b) return;
    let r = Number(b.dataset.row);
    let c = Number(b.dataset.col);
    const n = m.zones.length;
    const move = { ArrowRight: [0, 1], ArrowLeft: [0, -1], ArrowDown: [1, 0], ArrowUp: [-1, 0] }[e.key];
    if (!move) return;
    e.preventDefault();
    // One step in the arrow's direction; the diagonal (a zone to itself) has no button, so step over it.
    const step = (rr, cc) => [rr + move[0], cc + move[1]];
    let [nr, nc] = step(r, c);
    if (nr === nc) [nr, nc] = step(nr, nc);
    if (nr < 0 || nc < 0 || nr >= n || nc >= n) return;
    r = nr;
    c = nc;
    const next = table.querySelector(`button.cellbtn[data-row="${r}"][data-col="${c}"]`);
    if (next) {
      b.setAttribute('tabindex', '-1');
      next.setAttribute('tabindex', '0');
      next.focus();
    }
  });
  replace(el,
    h('h2', {}, 'Zone-pair matrix'),
    h('p', { class: 'muted' }, 'Each cell: what the conduits allow (policy), what the firewall permits (verify) and what was observed (baseline) from the row zone to the column zone. ',
      m.unzoned_flows ? `${fmtInt(m.unzoned_flows)} observed flow(s) touch unzoned addresses (see Flows).` : ''),
    legend,
    h('div', { class: 'matrix-wrap' }, table));
}

function flowRow(f, onOpen, compact) {
  const cells = compact
    ? [h('td', {}, f.src), h('td', {}, f.dst), h('td', {}, `${f.transport}/${f.dst_port ?? '—'} ${f.protocol}`), h('td', {}, verdictBadge(f.verdict))]
    : [h('td', {}, f.src), h('td', {}, f.src_zone ?? 'unzoned'),
      h('td', {}, f.dst), h('td', {}, f.dst_zone ?? 'unzoned'),
      h('td', {}, `${f.transport}/${f.dst_port ?? '—'}`), h('td', {}, f.protocol),
      h('td', { class: 'num' }, fmtInt(f.packets)), h('td', { class: 'num' }, fmtInt(f.bytes)),
      h('td', {}, verdictBadge(f.verdict)), h('td', {}, f.reasons.join(', '))];
  return h('tr', {
    class: `flow verdict-${f.verdict}`,
    tabindex: '0',
    'data-index': String(f.index),
    'aria-label': `Flow ${f.src} to ${f.dst} port ${f.dst_port ?? 'none'}, ${f.verdict}; Enter for details`,
    onclick: () => onOpen(f),
    onkeydown: (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        onOpen(f);
      }
    },
  }, cells);
}

function verdictBadge(v) {
  const glyph = v === 'violation' ? '✗ ' : v === 'allowed' ? '✓ ' : '· ';
  return h('span', { class: `verdict v-${v}` }, glyph + v);
}

const FLOW_HEAD = ['Source', 'Src zone', 'Destination', 'Dst zone', 'Port', 'Protocol', 'Packets', 'Bytes', 'Verdict', 'Reasons'];

function flowTable(flows, onOpen, compact = false) {
  return h('table', { class: `data flows${compact ? ' compact' : ''}` },
    h('thead', {}, h('tr', {}, (compact ? ['Source', 'Destination', 'Port', 'Verdict'] : FLOW_HEAD).map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, flows.map((f) => flowRow(f, onOpen, compact))));
}

function showFlow(f) {
  openDetails(`Flow ${f.src} → ${f.dst}`,
    dl([
      ['Verdict', verdictBadge(f.verdict)],
      ['Reasons', f.reasons.join(', ') || '—'],
      ['Conduit', f.conduit ? conduitLink(f.conduit) : '—'],
      ['Source', `${f.src} (${f.src_zone ?? 'unzoned'})`],
      ['Destination', `${f.dst}:${f.dst_port ?? '—'} (${f.dst_zone ?? 'unzoned'})`],
      ['Transport', f.transport],
      ['Protocol', f.protocol],
      ['Packets', fmtInt(f.packets)],
      ['Bytes', fmtInt(f.bytes)],
      ['First seen', f.first_seen],
      ['Last seen', f.last_seen],
      ['Source asset', f.src_asset ?? null],
      ['Destination asset', f.dst_asset ?? null],
      ['Function codes not allowed', f.disallowed_function_codes?.length ? f.disallowed_function_codes.join(', ') : null],
      ['Evidence', f.evidence ?? null],
    ]),
    Object.keys(f.function_codes).length
      ? section('Function codes', h('table', { class: 'data' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Code'), h('th', { scope: 'col' }, 'Requests'))),
        h('tbody', {}, Object.entries(f.function_codes).map(([k, v]) => h('tr', {}, h('td', {}, k), h('td', { class: 'num' }, fmtInt(v)))))))
      : null,
  );
}

async function showCell(from, to) {
  const c = await api(`/api/matrix/cell?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
  for (const b of document.querySelectorAll('button.cellbtn')) {
    const on = b.dataset.from === from && b.dataset.to === to;
    b.classList.toggle('selected', on);
    b.setAttribute('aria-pressed', on ? 'true' : 'false');
  }
  const meta = state.meta.results;
  openDetails(`${from} → ${to}`,
    section(`Allowed by conduits (${c.rules.length})`,
      c.rules.length
        ? h('table', { class: 'data' },
          h('thead', {}, h('tr', {}, ['Conduit', 'Protocol', 'Port', 'Initiator → responder', 'Function codes', 'Model line'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, c.rules.map((r) => h('tr', {},
            h('td', {}, conduitLink(r.conduit)),
            h('td', {}, `${r.protocol}${r.one_way ? ' (one way)' : ''}`),
            h('td', {}, `${r.transport}/${r.ports}`),
            h('td', {}, `${r.src.join(', ')} → ${r.dst.join(', ')}`),
            h('td', {}, fcText(r.function_codes)),
            h('td', {}, modelLine(r.line))))))
        : h('p', {}, 'No conduit allows traffic in this direction: it must be denied.')),
    section('Permitted by the firewall',
      meta.verify.status === 'loaded' ? h('p', {}, c.permitted ?? 'nothing') : h('p', { class: 'muted' }, `verify: ${meta.verify.status}`)),
    meta.verify.status === 'loaded' ? section(`Verify findings (${c.findings.length})`, findingCards(c.findings)) : null,
    section(`Observed flows${meta.baseline.status === 'loaded' ? ` (${fmtInt(c.flows.total)})` : ''}`,
      meta.baseline.status === 'loaded'
        ? [
          c.flows.flows.length ? flowTable(c.flows.flows, showFlow, true) : h('p', { class: 'muted' }, 'none observed'),
          c.flows.total > c.flows.flows.length
            ? h('button', { type: 'button', class: 'linklike', onclick: () => { closeDetails(); openFlows({ src_zone: from, dst_zone: to }); } }, `Show all ${fmtInt(c.flows.total)} in Flows`)
            : null,
        ]
        : h('p', { class: 'muted' }, `baseline: ${meta.baseline.status}`)),
  );
}

function findingCards(findings) {
  if (!findings.length) return h('p', { class: 'muted' }, 'none');
  return h('ul', { class: 'cards' }, findings.map((f) => h('li', { class: `card card-${f.severity}` },
    h('div', {}, sevBadge(f.severity), ' ', h('strong', {}, f.kind), f.conduit ? ` (${f.conduit})` : ''),
    f.message ? h('div', { class: 'small' }, f.message) : null,
    f.example ? h('div', {}, 'Example: ', `${f.example.protocol} ${f.example.src}${f.example.src_port ? ':' + f.example.src_port : ''} → ${f.example.dst}${f.example.dst_port ? ':' + f.example.dst_port : ''}`) : null,
    f.space ? h('div', { class: 'muted small' }, f.space) : null,
    f.rule ? [h('div', { class: 'cfgref' }, `${f.rule.file}:${f.rule.line}`), h('code', { class: 'cfg' }, f.rule.text)] : null)));
}

function findingList(findings) {
  if (!findings.length) return h('p', { class: 'muted' }, 'none');
  return h('table', { class: 'data findings' },
    h('thead', {}, h('tr', {}, ['Severity', 'Kind', 'Zones', 'Conduit', 'Example packet', 'Config line'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, findings.map((f) => h('tr', { class: `row-${f.severity}` },
      h('td', {}, sevBadge(f.severity)),
      h('td', {}, f.code ? h('code', {}, f.code) : null, f.code ? ' ' : null, f.kind, f.message ? h('div', { class: 'small' }, f.message) : null),
      h('td', {}, `${f.from_zone ?? '—'} → ${f.to_zone ?? '—'}`),
      h('td', {}, f.conduit ?? '—'),
      h('td', {}, f.example ? `${f.example.protocol} ${f.example.src}${f.example.src_port ? ':' + f.example.src_port : ''} → ${f.example.dst}${f.example.dst_port ? ':' + f.example.dst_port : ''}` : '—',
        f.space ? h('div', { class: 'muted small' }, f.space) : null),
      h('td', {}, f.rule ? [h('div', { class: 'cfgref' }, `${f.rule.file}:${f.rule.line}`), h('code', { class: 'cfg' }, f.rule.text)] : '—')))));
}

function sevBadge(sev) {
  const glyph = sev === 'error' ? '✗ ' : sev === 'warning' ? '▲ ' : 'ⓘ ';
  return h('span', { class: `sev sev-${sev}` }, glyph + sev);
}

async function renderDiagnostics(el) {
  const d = await api('/api/diagnostics');
  replace(el,
    h('h2', {}, 'Diagnostics'),
    h('p', {}, `${d.summary.errors} error(s), ${d.summary.warnings} warning(s), ${d.summary.infos} info(s) from validating ${state.meta.file}.`),
    d.diagnostics.length
      ? h('table', { class: 'data diagnostics' },
        h('thead', {}, h('tr', {}, ['Severity', 'Code', 'Message', 'Location', 'About'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, d.diagnostics.map((x) => h('tr', { class: `row-${x.severity}` },
          h('td', {}, sevBadge(x.severity)),
          h('td', {}, h('code', {}, x.code)),
          h('td', {}, x.message, x.notes ? h('ul', { class: 'notes' }, x.notes.map((n) => h('li', {}, n))) : null,
            x.source ? h('pre', { class: 'source' }, h('span', { class: 'ln' }, String(x.line).padStart(4, ' ')), ' ', x.source) : null),
          h('td', {}, x.line ? modelLine(x.line) : (x.file ?? '—'), x.column ? h('span', { class: 'muted' }, ` col ${x.column}`) : null),
          h('td', {}, x.ids.map((id, i) => [i ? ', ' : '', state.arch?.zones.some((z) => z.id === id) ? zoneLink(id) : state.arch?.conduits.some((c) => c.id === id) ? conduitLink(id) : id]))))))
      : h('p', { class: 'ok' }, '✓ No diagnostics.'));
}

function openFlows(filters) {
  state.flowQuery = { offset: 0, limit: state.flowQuery.limit, ...filters };
  go('flows');
}

function timeline(summary) {
  if (!summary.timeline?.length) return h('p', { class: 'muted' }, 'No violations with timestamps.');
  const max = Math.max(...summary.timeline.map((t) => t.violations), 1);
  const bars = summary.timeline.map((t) => {
    const pct = Math.round((t.violations / max) * 100);
    return h('span', { class: `bar h${Math.round(pct / 10)}`, title: `${t.start}: ${t.violations} violation(s)`, role: 'listitem', 'aria-label': `${t.start}: ${t.violations} violation(s)` });
  });
  return h('figure', { class: 'timeline' },
    h('div', { class: 'bars', role: 'list' }, bars),
    h('figcaption', {}, `Violations by first-seen ${summary.bucket}, ${summary.timeline[0].start} – ${summary.timeline[summary.timeline.length - 1].start}`));
}

async function renderFlows(el) {
  const summary = await api('/api/baseline');
  if (summary.status !== 'loaded') {
    replace(el, h('h2', {}, 'Baseline flows'), notRun('baseline', summary, 'otzones baseline MODEL capture.pcap --format json > baseline.json', '--baseline baseline.json'));
    return;
  }
  if (!state.arch) state.arch = await api('/api/architecture');
  const q = state.flowQuery;
  const zoneOptions = (sel) => [h('option', { value: '' }, 'any'), h('option', { value: '-', selected: sel === '-' }, 'unzoned'),
    ...state.arch.zones.map((z) => h('option', { value: z.id, selected: sel === z.id }, z.id))];
  const form = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter flows', onsubmit: (e) => { e.preventDefault(); apply(); } },
    h('label', {}, 'Verdict ', h('select', { name: 'verdict' }, h('option', { value: '' }, 'any'),
      summary.verdicts.map((v) => h('option', { value: v.name, selected: q.verdict === v.name }, `${v.name} (${fmtInt(v.count)})`)))),
    h('label', {}, 'From zone ', h('select', { name: 'src_zone' }, zoneOptions(q.src_zone))),
    h('label', {}, 'To zone ', h('select', { name: 'dst_zone' }, zoneOptions(q.dst_zone))),
    h('label', {}, 'Protocol ', h('select', { name: 'protocol' }, h('option', { value: '' }, 'any'),
      summary.protocols.map((p) => h('option', { value: p.name, selected: q.protocol === p.name }, `${p.name} (${fmtInt(p.count)})`)))),
    h('label', {}, 'Address ', h('input', { name: 'q', type: 'search', value: q.q ?? '', placeholder: '10.20.1.', size: '14' })),
    h('label', {}, 'Rows ', h('select', { name: 'limit' }, [25, 50, 100, 250].map((n) => h('option', { value: String(n), selected: q.limit === n }, String(n))))),
    h('button', { type: 'submit' }, 'Apply'));
  const results = h('div', { class: 'flow-results', 'aria-live': 'polite' });
  const apply = () => {
    const fd = new FormData(form);
    state.flowQuery = { offset: 0, limit: Number(fd.get('limit')) || 50 };
    for (const k of ['verdict', 'src_zone', 'dst_zone', 'protocol', 'q']) if (fd.get(k)) state.flowQuery[k] = String(fd.get(k));
    loadPage();
  };
  form.addEventListener('change', (e) => { if (e.target.tagName === 'SELECT') apply(); });
  const loadPage = async () => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(state.flowQuery)) if (v !== undefined && v !== '') params.set(k, String(v));
    const page = await api(`/api/flows?${params}`);
    const from = page.total ? page.offset + 1 : 0;
    const to = page.offset + page.flows.length;
    const pages = Math.max(1, Math.ceil(page.total / page.limit));
    const cur = Math.floor(page.offset / page.limit) + 1;
    const move = (offset) => { state.flowQuery.offset = offset; loadPage().then(() => results.querySelector('.pager button:not([disabled])')?.focus()); };
    replace(results,
      h('div', { class: 'pager' },
        h('button', { type: 'button', disabled: page.offset === 0, onclick: () => move(0), 'aria-label': 'First page' }, '« First'),
        h('button', { type: 'button', disabled: page.offset === 0, onclick: () => move(Math.max(0, page.offset - page.limit)), 'aria-label': 'Previous page' }, '◀ Prev'),
        h('span', { class: 'range' }, `Rows ${fmtInt(from)}–${fmtInt(to)} of ${fmtInt(page.total)} · page ${fmtInt(cur)} of ${fmtInt(pages)}`),
        h('button', { type: 'button', disabled: to >= page.total, onclick: () => move(page.offset + page.limit), 'aria-label': 'Next page' }, 'Next ▶'),
        h('button', { type: 'button', disabled: to >= page.total, onclick: () => move((pages - 1) * page.limit), 'aria-label': 'Last page' }, 'Last »')),
      page.flows.length ? flowTable(page.flows, showFlow) : h('p', { class: 'muted' }, 'No flows match.'));
  };
  replace(el,
    h('h2', {}, 'Baseline flows'),
    h('p', {}, `${fmtInt(summary.total)} flow(s) from ${state.meta.results.baseline.file}. Violations: ${fmtInt(summary.verdicts.find((v) => v.name === 'violation')?.count ?? 0)}.`),
    timeline(summary),
    form,
    results);
  await loadPage();
}

function notRun(kind, r, example, flag) {
  if (r.status === 'error') return h('p', { class: 'error' }, `${kind}: ${r.error}`);
  return h('div', { class: 'notrun' },
    h('p', {}, h('strong', {}, `${kind}: not run.`), ' Run it and pass its JSON to the dashboard:'),
    h('pre', {}, `${example}\notzones serve ${state.meta.file} ${flag}`));
}

async function renderVerify(el) {
  const v = await api('/api/verify');
  if (v.status !== 'loaded') {
    replace(el, h('h2', {}, 'Verify findings'), notRun('verify', v, 'otzones verify MODEL --config fw.cfg --format json > verify.json', '--verify verify.json   (or: --config fw.cfg)'));
    return;
  }
  const kinds = [...new Set(v.findings.map((f) => f.kind))].sort();
  const holder = h('div', {});
  const show = (kind) => replace(holder, findingList(kind ? v.findings.filter((f) => f.kind === kind) : v.findings));
  replace(el,
    h('h2', {}, 'Verify findings'),
    h('p', {}, `${v.findings.length} finding(s) from ${state.meta.results.verify.file}.`),
    h('label', {}, 'Kind ', h('select', { onchange: (e) => show(e.target.value) }, h('option', { value: '' }, 'all'), kinds.map((k) => h('option', { value: k }, k)))),
    holder,
    v.configs.length
      ? section('Configurations',
        h('table', { class: 'data' },
          h('thead', {}, h('tr', {}, ['File', 'Vendor', 'Lines', 'Modelled', 'No effect on filtering', 'Not understood'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, v.configs.map((c) => h('tr', {}, h('td', {}, c.file), h('td', {}, c.vendor), h('td', { class: 'num' }, fmtInt(c.lines)),
            h('td', { class: 'num' }, fmtInt(c.parsed)), h('td', { class: 'num' }, fmtInt(c.ignored)), h('td', { class: 'num' }, fmtInt(c.unparsed)))))))
      : null,
    section('What the firewall permits between zones',
      v.matrix.length
        ? h('table', { class: 'data' }, h('thead', {}, h('tr', {}, ['From', 'To', 'Permitted'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, v.matrix.map((m) => h('tr', { class: m.permits ? 'permits' : 'permits-nothing' }, h('td', {}, m.from_zone), h('td', {}, m.to_zone), h('td', {}, m.permitted)))))
        : h('p', { class: 'muted' }, 'nothing')));
  show('');
}

async function renderProbe(el) {
  const p = await api('/api/probe');
  if (p.status !== 'loaded') {
    replace(el, h('h2', {}, 'Probe results'), notRun('probe', p, 'otzones probe MODEL --lab --format json > probe.json', '--probe probe.json'));
    return;
  }
  const count = (st) => p.results.filter((r) => r.status === st).length;
  replace(el,
    h('h2', {}, 'Probe results'),
    h('p', {}, h('span', { class: 'sev sev-pass' }, `✓ ${count('pass')} pass`), ' ', h('span', { class: 'sev sev-error' }, `✗ ${count('fail')} fail`), ' ', h('span', { class: 'sev sev-warning' }, `▲ ${count('error')} error`)),
    h('table', { class: 'data' },
      h('thead', {}, h('tr', {}, ['Status', 'Check', 'From', 'To', 'Target', 'Expected', 'Observed', 'ms', 'Detail'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, p.results.map((r) => h('tr', { class: `probe-${r.status}` },
        h('td', {}, h('span', { class: `sev sev-${r.status === 'pass' ? 'pass' : r.status === 'fail' ? 'error' : 'warning'}` }, (r.status === 'pass' ? '✓ ' : r.status === 'fail' ? '✗ ' : '▲ ') + r.status)),
        h('td', {}, r.check), h('td', {}, r.from_zone ?? '—'), h('td', {}, r.to_zone ?? '—'), h('td', {}, r.target),
        h('td', {}, r.expected), h('td', {}, r.observed), h('td', { class: 'num' }, r.ms === null ? '—' : String(r.ms)), h('td', {}, r.detail))))));
}

async function renderSlGaps(el) {
  const g = await api('/api/sl-gaps');
  const frs = g.frs;
  const vecCells = (v) => frs.map((fr) => h('td', { class: 'num' }, v ? String(v[fr]) : '—'));
  const frCell = (f) => {
    if (!f) return h('td', {}, '—');
    const a = f.achieved === null ? '?' : String(f.achieved);
    const t = f.target === null ? '—' : String(f.target);
    const gap = f.gap === null ? '' : f.gap > 0 ? ` ▲${f.gap}` : ' ✓';
    const title = [`SL-T ${t}, SL-A ${a}`, f.limited_by.length ? `limited by ${f.limited_by.join(', ')}` : '', f.compensation ? `compensated: ${f.compensation.control}` : ''].filter(Boolean).join('; ');
    return h('td', { class: `slcell ${f.gap > 0 ? 'slgap' : f.gap === 0 ? 'slmet' : 'slunknown'}`, title, 'aria-label': title }, `${t} / ${a}${gap}`);
  };
  replace(el,
    h('h2', {}, 'Security levels and gaps'),
    h('p', { class: 'muted' }, 'Per foundational requirement: SL-T / SL-A. SL-A is the lowest declared capability (SL-C) of the zone\'s assets, raised only by declared compensations; "?" where an asset declares no SL-C. ▲n marks a gap, ✓ a met target.'),
    section('Zones',
      h('table', { class: 'data slgaps' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Zone'), frs.map((f) => h('th', { scope: 'col' }, f)), h('th', { scope: 'col' }, 'Recommended SL-T (risk)'), h('th', { scope: 'col' }, 'Line'))),
        h('tbody', {}, g.zones.map((z) => h('tr', {},
          h('td', {}, zoneLink(z.id), z.assets_without_sl_c ? h('div', { class: 'muted small' }, `${z.assets_without_sl_c} asset(s) without SL-C`) : null),
          frs.map((fr) => frCell(z.frs.find((f) => f.fr === fr))),
          h('td', {}, z.recommended ? `${frs.map((fr) => z.recommended[fr]).join(' ')}${z.scenarios.length ? ` (${z.scenarios.join(', ')})` : ''}` : (g.risk_assessed ? 'no scenario' : 'no risk section')),
          h('td', {}, modelLine(z.line))))))),
    section('Conduits',
      h('table', { class: 'data' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Conduit'), frs.map((f) => h('th', { scope: 'col' }, f)), h('th', { scope: 'col' }, 'Below the zone SL-T'), h('th', { scope: 'col' }, 'Compensating controls'))),
        h('tbody', {}, g.conduits.map((c) => h('tr', { class: c.below.length ? (c.compensating_controls.length ? 'gap-compensated' : 'gap') : '' },
          h('td', {}, conduitLink(c.id)), vecCells(c.sl_t),
          h('td', {}, c.below.length ? c.below.map((b) => `▲ ${b.zone}: ${b.frs.join(', ')}`).join('; ') : '✓ none'),
          h('td', {}, c.compensating_controls.length ? list(c.compensating_controls) : '—')))))));
}

async function renderReport(el) {
  const formats = state.meta.report.formats;
  replace(el,
    h('h2', {}, 'Zone Implementation Report'),
    formats.length
      ? [h('p', {}, 'The report of src/report over this model and the attached verify, baseline and probe results.'),
        h('p', {}, 'Download: ', formats.map((f, i) => [i ? ' ' : '', h('a', { class: 'button', href: `/api/report?format=${encodeURIComponent(f)}`, download: '', 'data-format': f }, f.toUpperCase())]))]
      : h('p', { class: 'muted' }, 'Report download is not available in this build (the report module is not present). Use `otzones report` when it is.'));
}

const RENDER = {
  architecture: renderArchitecture,
  matrix: renderMatrix,
  diagnostics: renderDiagnostics,
  flows: renderFlows,
  verify: renderVerify,
  probe: renderProbe,
  slgaps: renderSlGaps,
  report: renderReport,
};

// ---------------------------------------------------------------- start and live reload

async function refresh() {
  state.meta = await api('/api/meta');
  state.generation = state.meta.generation;
  state.arch = null;
  renderHeader();
  await renderView();
}

async function poll() {
  try {
    const m = await api('/api/meta');
    if (m.generation !== state.generation) {
      closeDetails();
      await refresh();
      announce(`Reloaded ${m.file} at ${new Date(m.loaded_at).toLocaleTimeString()}`);
    }
  } catch {
    announce('Server not reachable');
  }
  setTimeout(poll, 1500);
}

window.addEventListener('hashchange', () => go(location.hash.slice(1), { keepHash: true }));

(async () => {
  state.view = VIEWS.some((v) => v.id === location.hash.slice(1)) ? location.hash.slice(1) : 'architecture';
  renderNav();
  try {
    const [meta, arch] = await Promise.all([api('/api/meta'), api('/api/architecture')]);
    state.meta = meta;
    state.arch = arch;
    state.generation = meta.generation;
    renderHeader();
    await renderView();
    document.body.dataset.ready = 'true';
  } catch (e) {
    replace($('#view'), h('p', { class: 'error' }, `Could not reach the otzones server: ${e.message}`));
  }
  setTimeout(poll, 1500);
})();
