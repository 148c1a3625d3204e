/** Cisco ASA keyword tables: named ports (per transport) and ICMP type names. */

const COMMON: Record<string, number> = {
  discard: 9, domain: 53, echo: 7, kerberos: 88, nfs: 2049, 'pim-auto-rp': 496, sip: 5060, sunrpc: 111, tacacs: 49, talk: 517,
};

export const TCP_PORTS: Record<string, number> = {
  ...COMMON,
  aol: 5190, bgp: 179, chargen: 19, cifs: 3020, 'citrix-ica': 1494, cmd: 514, ctiqbe: 2748, daytime: 13, exec: 512, finger: 79,
  ftp: 21, 'ftp-data': 20, gopher: 70, h323: 1720, hostname: 101, http: 80, https: 443, ident: 113, imap4: 143, irc: 194,
  klogin: 543, kshell: 544, ldap: 389, ldaps: 636, login: 513, lotusnotes: 1352, lpd: 515, 'netbios-ssn': 139, nntp: 119,
  'pcanywhere-data': 5631, pop2: 109, pop3: 110, pptp: 1723, rsh: 514, rtsp: 554, smtp: 25, sqlnet: 1521, ssh: 22,
  telnet: 23, uucp: 540, whois: 43, www: 80, lpr: 515, 'rdp': 3389,
};

export const UDP_PORTS: Record<string, number> = {
  ...COMMON,
  biff: 512, bootpc: 68, bootps: 67, dnsix: 195, isakmp: 500, 'mobile-ip': 434, nameserver: 42, 'netbios-dgm': 138,
  'netbios-ns': 137, ntp: 123, radius: 1645, 'radius-acct': 1646, rip: 520, 'secureid-udp': 5510, snmp: 161, snmptrap: 162,
  syslog: 514, tftp: 69, cifs: 3020, time: 37, who: 513, xdmcp: 177, vxlan: 4789, 'www': 80,
};

export const ICMP_TYPES: Record<string, number> = {
  'echo-reply': 0, unreachable: 3, 'source-quench': 4, redirect: 5, 'alternate-address': 6, echo: 8,
  'router-advertisement': 9, 'router-solicitation': 10, 'time-exceeded': 11, 'parameter-problem': 12,
  'timestamp-request': 13, 'timestamp-reply': 14, 'information-request': 15, 'information-reply': 16,
  'mask-request': 17, 'mask-reply': 18, traceroute: 30, 'conversion-error': 31, 'mobile-redirect': 32,
};

/** Port number for a name or digits under the given protocol(s); undefined when unknown. */
export function portNumber(token: string, protos: 'tcp' | 'udp' | 'tcp-udp'): number | undefined {
  if (/^\d+$/.test(token)) {
    const n = Number(token);
    return n <= 65535 ? n : undefined;
  }
  const t = token.toLowerCase();
  if (protos === 'tcp') return TCP_PORTS[t];
  if (protos === 'udp') return UDP_PORTS[t];
  // tcp-udp: the name must mean the same port on both.
  const a = TCP_PORTS[t];
  const b = UDP_PORTS[t];
  if (a !== undefined && b !== undefined) return a === b ? a : undefined;
  return a ?? b;
}
