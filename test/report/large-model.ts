/** A generated plant of N zones over Purdue levels 0-4 with a DMZ, for the diagram and report at scale. */
export function largeModelYaml(n = 40): string {
  const levels = [0, 1, 2, 3, 3.5, 4];
  const lines: string[] = ['facility: "Generated plant"', 'zones:'];
  const zones: { id: string; level: number; i: number }[] = [];
  for (let i = 0; i < n; i++) {
    const level = levels[i % levels.length]!;
    const id = `Z${String(i + 1).padStart(2, '0')}-L${String(level).replace('.', '')}`;
    zones.push({ id, level, i });
    lines.push(`  - zone_id: ${id}`, `    name: "Area ${i + 1} level ${level}"`, `    purdue_level: ${level}`, `    security_level_target: ${level <= 1 ? 3 : 2}`);
    lines.push(`    subnets: ["10.${i + 1}.0.0/16"]`, `    assets:`, `      - { id: A${i + 1}-1, role: ${level <= 1 ? 'plc' : 'server'}, ip: 10.${i + 1}.0.10 }`, `      - { id: A${i + 1}-2, role: ${level <= 1 ? 'plc' : 'server'}, ip: 10.${i + 1}.0.11 }`);
  }
  lines.push('conduits:');
  // Each zone talks to the zone of the next level up in the same "column" (i + 1), like a cell of a plant.
  let c = 0;
  for (const z of zones) {
    const up = zones.find((y) => y.i > z.i && levels.indexOf(y.level) === levels.indexOf(z.level) + 1);
    if (!up) continue;
    c++;
    const proto = z.level === 3 ? 'https' : z.level >= 3.5 ? 'https' : 'modbus';
    lines.push(`  - conduit_id: C${c}`, `    connects: [${z.id}, ${up.id}]`, `    security_level: 2`, `    protocols_allowed:`);
    lines.push(`      - { protocol: ${proto}, from: ${proto === 'modbus' ? up.id : z.id}, to: ${proto === 'modbus' ? z.id : up.id}${proto === 'modbus' ? ', function_codes: [3]' : ''} }`);
  }
  // Shared services: every operations zone also reaches the first DMZ zone (patch server), which crosses columns.
  const dmz = zones.find((z) => z.level === 3.5);
  for (const z of zones.filter((y) => y.level === 3)) {
    if (!dmz) break;
    c++;
    lines.push(`  - conduit_id: C${c}`, `    connects: [${z.id}, ${dmz.id}]`, `    security_level: 2`, `    protocols_allowed:`, `      - { protocol: https, from: ${z.id}, to: ${dmz.id} }`);
  }
  return lines.join('\n') + '\n';
}
