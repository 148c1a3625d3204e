import { conduitWithoutFlows } from '../../src/rules/conduit-without-flows.ts';
import { BASE, table } from './table.ts';

table(conduitWithoutFlows, [
  { name: 'a conduit with a flow', yaml: BASE },
  {
    name: 'no protocols_allowed key, and an empty list',
    yaml: BASE + `  - ⟨{ conduit_id: C2, connects: [Z2, Z3] }
  - ⟨conduit_id: C3
    connects: [Z2, Z3]
    protocols_allowed: []
`,
    expect: [{ ids: ['C2'], message: /^conduit C2 allows no flows/ }, { ids: ['C3'] }],
  },
]);
