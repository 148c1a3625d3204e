/**
 * The one schema of the model format (docs: ../shared/spec/MODEL.md, extended as noted in docs/model.md).
 * It accepts both dialects; the loader (load.ts) turns a parsed document into the normalized types.ts model.
 * `npm run schema` writes schema/otzones-model.schema.json from it for editors.
 */
import * as z from 'zod';
import { ASSET_ROLES, FRS } from './types.ts';
import { riskSchema } from './risk-schema.ts';

// zod compiles a parser per object schema with `new Function` on first use: ~10 ms of every run to check one
// model of a few KB, where interpreting takes ~5 ms. Models are small; start-up is paid on every command.
z.config({ jitless: true });

export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
export const idSchema = z
  .string()
  .regex(ID_PATTERN, 'ids are 1-63 characters of letters, digits, ".", "_" and "-", starting with a letter or digit');

const frLevel = z.number().int().min(0).max(4);
export const slVectorSchema = z.strictObject(Object.fromEntries(FRS.map((fr) => [fr, frLevel])) as Record<(typeof FRS)[number], typeof frLevel>);
export const securityLevelSchema = z.union([
  z.number().int().min(0).max(4),
  z.string().regex(/^\s*SL[\s-]?[0-4]\s*$/i, 'a security level is "SL 0" to "SL 4", 0-4, or an FR vector'),
  slVectorSchema,
]);

export const purdueSchema = z.union([
  z.number().min(0).max(5),
  z.string().regex(/^\s*[0-5](\.5)?\s*(-\s*[0-5](\.5)?\s*)?$/, 'a Purdue level is 0-5 (3.5 = DMZ) or a range such as "1-2"'),
]);

const portNumber = z.number().int().min(0).max(65535);
const portItem = z.union([portNumber, z.string().regex(/^\s*\d{1,5}\s*(-\s*\d{1,5}\s*)?$/, 'a port is a number or a range "a-b"')]);
export const portSchema = z.union([portItem, z.array(portItem).min(1)]);

const idOrList = z.union([idSchema, z.array(idSchema).min(1)]);

export const flowSchema = z.looseObject({
  protocol: z.string().min(1),
  transport: z.enum(['tcp', 'udp', 'icmp']).optional(),
  port: portSchema.optional(),
  from: idOrList.optional(),
  to: idOrList.optional(),
  function_codes: z.array(z.number().int().min(0).max(255)).optional(),
  dnp3_function_codes: z.array(z.number().int().min(0).max(255)).optional(),
  s7_functions: z.array(z.union([z.string(), z.number()])).optional(),
  security_mode: z.string().optional(),
  one_way: z.boolean().optional(),
  direction: z.string().optional(),
  description: z.string().optional(),
});

export const assetSchema = z.looseObject({
  id: idSchema,
  name: z.string().optional(),
  role: z.enum(ASSET_ROLES).optional(),
  ip: z.union([z.string(), z.array(z.string()).min(1)]).optional(),
  mac: z.string().regex(/^[0-9A-Fa-f]{2}([:.-]?[0-9A-Fa-f]{2}){5}$|^[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}$/, 'a MAC address such as 00:1d:9c:aa:01:01').optional(),
  switch_port: z.string().regex(/^[A-Za-z][A-Za-z-]*\d+(\/\d+){0,3}(\.\d+)?$/, 'an interface name such as Gi1/0/1').optional(),
  modbus: z
    .strictObject({
      unit_id: z.number().int().min(0).max(255).optional(),
      safe_test_register: z.number().int().min(0).max(65535).optional(),
    })
    .optional(),
  sl_c: securityLevelSchema.optional(),
  count: z.number().int().min(1).optional(),
  /** Extension: the `switches[].id` the port belongs to, when the model has several switches. */
  switch: idSchema.optional(),
});

export const zoneSchema = z.looseObject({
  zone_id: idSchema,
  name: z.string().optional(),
  purdue_level: purdueSchema.optional(),
  security_level_target: securityLevelSchema.optional(),
  criticality: z.string().optional(),
  safety: z.boolean().optional(),
  vlan: z.number().int().min(1).max(4094).optional(),
  subnets: z.array(z.string()).optional(),
  gateway: z.string().optional(),
  assets: z.array(z.union([z.string(), assetSchema])).optional(),
  security_requirements: z.array(z.string()).optional(),
  allowed_conduits: z.array(idSchema).optional(),
  description: z.string().optional(),
});

export const conduitSchema = z.looseObject({
  conduit_id: idSchema,
  name: z.string().optional(),
  connects: z.array(idSchema).min(1),
  security_level: securityLevelSchema.optional(),
  protocols_allowed: z.array(flowSchema).optional(),
  controls: z.array(z.string()).optional(),
  diode: z.strictObject({ from: idSchema, to: idSchema }).optional(),
  /** Extension: controls that make up for a conduit SL-T below a zone it serves (ZC405). */
  compensating_controls: z.array(z.string()).optional(),
  description: z.string().optional(),
});

/** Extension: a boundary firewall and which of its interfaces faces which zone. */
export const firewallSchema = z.looseObject({
  id: idSchema,
  vendor: z.string().optional(),
  interfaces: z
    .array(
      z.strictObject({
        zone: idSchema,
        name: z.string().regex(/^[A-Za-z][A-Za-z0-9/._:-]{0,63}$/, 'an interface name such as GigabitEthernet1/1 or eth1'),
        /** ASA nameif; defaults to the zone id in lower case. */
        nameif: idSchema.optional(),
      }),
    )
    .min(1),
});

/** Extension: an access switch, for VLAN and port-security generation. */
export const switchSchema = z.looseObject({
  id: idSchema,
  /** Every front port, e.g. ["GigabitEthernet1/0/1-24"]; ports no asset uses are shut and parked. */
  ports: z.array(z.string().regex(/^[A-Za-z][A-Za-z-]*\d+(\/\d+){0,3}(-\d+)?$/, 'a port or port range such as GigabitEthernet1/0/1-24')).min(1),
  trunk_port: z.string().optional(),
  trunk_description: z.string().optional(),
  /** Native VLAN of trunks and VLAN of shut ports (default 999). */
  parking_vlan: z.number().int().min(1).max(4094).optional(),
});

export const modelSchema = z.looseObject({
  facility: z.string().min(1),
  assessment_date: z.union([z.string(), z.date()]).optional(),
  standard: z.string().optional(),
  logging_hosts: z.array(z.string()).optional(),
  firewalls: z.array(firewallSchema).optional(),
  switches: z.array(switchSchema).optional(),
  zones: z.array(zoneSchema).min(1),
  conduits: z.array(conduitSchema).optional(),
  risk: riskSchema.optional(),
});

export type RawModel = z.infer<typeof modelSchema>;
export type RawZone = z.infer<typeof zoneSchema>;
export type RawConduit = z.infer<typeof conduitSchema>;
export type RawFlow = z.infer<typeof flowSchema>;
export type RawAsset = z.infer<typeof assetSchema>;
export type RawFirewall = z.infer<typeof firewallSchema>;
export type RawSwitch = z.infer<typeof switchSchema>;

/** Keys each mapping may carry; anything else is reported as ZC103 and ignored. */
export const KNOWN_KEYS = {
  model: Object.keys(modelSchema.shape),
  zone: Object.keys(zoneSchema.shape),
  conduit: Object.keys(conduitSchema.shape),
  flow: Object.keys(flowSchema.shape),
  asset: Object.keys(assetSchema.shape),
  firewall: Object.keys(firewallSchema.shape),
  switch: Object.keys(switchSchema.shape),
} as const;

export function modelJsonSchema(): unknown {
  return z.toJSONSchema(modelSchema, { target: 'draft-2020-12', unrepresentable: 'any', io: 'input' });
}
