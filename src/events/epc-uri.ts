/**
 * GS1 identifiers in EPCIS events → the constrained canonical GS1 Digital Link URI that the CBV 2.0 event hash
 * uses (https://id.gs1.org/{AI}/{key}[/{one qualifier}]): EPC pure identity, class and pattern URNs are
 * converted, Digital Link URIs are moved to id.gs1.org with short names, query, CPV and a lot that sits next to
 * a serial removed. Mirrors the normaliser of the reference generator RalphTro/epcis-event-hash-generator;
 * going this way round needs no GS1 company prefix length, which a Digital Link does not carry.
 */
import { gs1CheckDigit } from '../catalog/gtin.ts';

const CANONICAL = 'https://id.gs1.org/';

// One character of an EPC URI component: GS1 AI encodable character set 82 with its mandatory %-escapes.
const EPC_CHAR = String.raw`(?:%2[125-9A-Fa-f]|%3[0-9A-Fa-f]|%4[1-9A-Fa-f]|%5[0-9AaFf]|%6[1-9A-Fa-f]|%7[0-9Aa]|[!')(*+,.0-9:;=A-Za-z_-])`;
// One character of a CPI component in an EPC URI (set 39).
const CPI_CHAR = String.raw`(?:%2[3dfDF]|%3[0-9]|%4[1-9A-Fa-f]|%5[0-9Aa]|[0-9A-Z-])`;

interface EpcRule {
  readonly pattern: RegExp;
  /** Digits of company prefix + reference (groups 1 and 2) that the scheme requires, when fixed. */
  readonly digits?: number;
  /** Longest company prefix + reference in characters, for the alphanumeric schemes. */
  readonly maxChars?: number;
  readonly build: (g: readonly string[]) => string;
}

const withCheckDigit = (digits: string) => digits + gs1CheckDigit(digits);
// The indicator / extension digit leads the GTIN and SSCC, ahead of the company prefix.
const indicatorFirst = (gcp: string, ref: string) => withCheckDigit(ref[0] + gcp + ref.slice(1));
// GS1 Digital Link percent-encodes these, EPC URIs leave them bare.
const encode = (s: string) => s.replace(/[!()*+,:]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
const rule = (scheme: string, tail: string, r: Omit<EpcRule, 'pattern'>): [string, EpcRule] =>
  [scheme, { pattern: new RegExp(String.raw`^(\d{6,12})\.${tail}$`), ...r }];

const EPC_RULES = new Map<string, EpcRule>([
  rule('id:sgtin', String.raw`(\d{1,7})\.(${EPC_CHAR}{1,20})`, { digits: 13, build: ([c, r, s]) => `01/${indicatorFirst(c, r)}/21/${encode(s)}` }),
  rule('id:sscc', String.raw`(\d{5,11})`, { digits: 17, build: ([c, r]) => `00/${indicatorFirst(c, r)}` }),
  rule('id:sgln', String.raw`(\d{0,6})\.(${EPC_CHAR}{1,20})`, {
    digits: 12, build: ([c, r, x]) => `414/${withCheckDigit(c + r)}${x === '0' ? '' : `/254/${encode(x)}`}`,
  }),
  rule('id:grai', String.raw`(\d{0,6})\.(${EPC_CHAR}{1,16})`, { digits: 12, build: ([c, r, s]) => `8003/${withCheckDigit('0' + c + r)}${encode(s)}` }),
  rule('id:giai', `(${EPC_CHAR}+)`, { maxChars: 30, build: ([c, r]) => `8004/${c}${encode(r)}` }),
  rule('id:gsrn', String.raw`(\d{5,11})`, { digits: 17, build: ([c, r]) => `8018/${withCheckDigit(c + r)}` }),
  rule('id:gsrnp', String.raw`(\d{5,11})`, { digits: 17, build: ([c, r]) => `8017/${withCheckDigit(c + r)}` }),
  rule('id:gdti', String.raw`(\d{0,6})\.(${EPC_CHAR}{0,17})`, { digits: 12, build: ([c, r, s]) => `253/${withCheckDigit(c + r)}${encode(s)}` }),
  rule('id:cpi', String.raw`(${CPI_CHAR}+)\.(\d{1,12})`, { maxChars: 30, build: ([c, r, s]) => `8010/${encode(c + r)}/8011/${s}` }),
  rule('id:sgcn', String.raw`(\d{0,6})\.(\d{1,12})`, { digits: 12, build: ([c, r, s]) => `255/${withCheckDigit(c + r)}${s}` }),
  rule('id:ginc', `(${EPC_CHAR}+)`, { maxChars: 30, build: ([c, r]) => `401/${c}${encode(r)}` }),
  rule('id:gsin', String.raw`(\d{4,10})`, { digits: 16, build: ([c, r]) => `402/${withCheckDigit(c + r)}` }),
  rule('id:itip', String.raw`(\d{1,7})\.(\d{2})\.(\d{2})\.(${EPC_CHAR}{1,20})`, {
    digits: 13, build: ([c, r, p, t, s]) => `8006/${indicatorFirst(c, r)}${p}${t}/21/${encode(s)}`,
  }),
  rule('id:upui', String.raw`(\d{1,7})\.(${EPC_CHAR}{1,28})`, { digits: 13, build: ([c, r, s]) => `01/${indicatorFirst(c, r)}/235/${encode(s)}` }),
  rule('id:pgln', String.raw`(\d{0,6})`, { digits: 12, build: ([c, r]) => `417/${withCheckDigit(c + r)}` }),
  rule('class:lgtin', String.raw`(\d{1,7})\.(${EPC_CHAR}{1,20})`, { digits: 13, build: ([c, r, l]) => `01/${indicatorFirst(c, r)}/10/${encode(l)}` }),
  rule('idpat:sgtin', String.raw`(\d{1,7})\.\*`, { digits: 13, build: ([c, r]) => `01/${indicatorFirst(c, r)}` }),
  rule('idpat:grai', String.raw`(\d{0,6})\.\*`, { digits: 12, build: ([c, r]) => `8003/${withCheckDigit('0' + c + r)}` }),
  rule('idpat:gdti', String.raw`(\d{0,6})\.\*`, { digits: 12, build: ([c, r]) => `253/${withCheckDigit(c + r)}` }),
  rule('idpat:sgcn', String.raw`(\d{0,6})\.\*`, { digits: 12, build: ([c, r]) => `255/${withCheckDigit(c + r)}` }),
  rule('idpat:cpi', String.raw`(${CPI_CHAR}+)\.\*`, { maxChars: 30, build: ([c, r]) => `8010/${encode(c + r)}` }),
  rule('idpat:itip', String.raw`(\d{1,7})\.(\d{2})\.(\d{2})\.\*`, { digits: 13, build: ([c, r, p, t]) => `8006/${indicatorFirst(c, r)}${p}${t}` }),
  rule('idpat:upui', String.raw`(\d{1,7})\.\*`, { digits: 13, build: ([c, r]) => `01/${indicatorFirst(c, r)}` }),
]);

/** Canonical GS1 Digital Link URI of an EPC pure identity, class or pattern URN; undefined when it is not one. */
export function epcUriToDigitalLink(uri: string): string | undefined {
  const head = /^urn:epc:((?:id|class|idpat):[a-z]+):(.*)$/.exec(uri);
  const r = head && EPC_RULES.get(head[1]);
  const m = r && r.pattern.exec(head[2]);
  if (!r || !m) return undefined;
  const [gcp, ref] = [m[1], m[2]];
  if (r.digits !== undefined && gcp.length + ref.length !== r.digits) return undefined;
  if (r.maxChars !== undefined && gcp.length + ref.replace(/%[0-9A-Fa-f]{2}/g, '_').length > r.maxChars) return undefined;
  return CANONICAL + r.build(m.slice(1));
}

// Primary-key path segments: numeric AI or the short name GS1 Digital Link 1.1 allowed.
const KEY_AI: Record<string, string> = {
  '00': '00', sscc: '00', '01': '01', gtin: '01', '253': '253', gdti: '253', '255': '255', gcn: '255', '401': '401', ginc: '401',
  '402': '402', gsin: '402', '414': '414', gln: '414', '417': '417', party: '417', '8003': '8003', grai: '8003', '8004': '8004', giai: '8004',
  '8006': '8006', itip: '8006', '8010': '8010', cpid: '8010', '8017': '8017', gsrnp: '8017', '8018': '8018', gsrn: '8018',
};
const QUALIFIER_SHORT_NAME: Record<string, string> = { cpv: '22', lot: '10', ser: '21' };

// One character of a Digital Link value: set 82 minus what must be %-escaped, or an escape (the reference
// rejects escapes, leaving such links on their own domain; accepting them lets them normalise like their URN).
const dl = (min: number, max: number) => String.raw`(?:[-"'.0-9;-?A-Z_a-z]|%[0-9A-Fa-f]{2}){${min},${max}}`;
const full = (re: string) => new RegExp(`^${re}$`);
interface KeyForm { readonly key: RegExp; readonly qualifiers: Readonly<Record<string, RegExp>> }
// The identifier forms the hash accepts: key value syntax and the one qualifier each key may keep.
const KEY_FORMS: Record<string, KeyForm> = {
  '00': { key: /^\d{18}$/, qualifiers: {} },
  '01': { key: /^\d{14}$/, qualifiers: { '21': full(dl(0, 20)), '10': full(dl(0, 20)), '235': full(dl(0, 28)) } },
  '253': { key: full(String.raw`\d{13}${dl(0, 17)}`), qualifiers: {} },
  '255': { key: /^\d{13}\d{0,12}$/, qualifiers: {} },
  '401': { key: full(dl(0, 30)), qualifiers: {} },
  '402': { key: /^\d{17}$/, qualifiers: {} },
  '414': { key: /^\d{13}$/, qualifiers: { '254': full(dl(0, 20)) } },
  '417': { key: /^\d{13}$/, qualifiers: {} },
  '8003': { key: full(String.raw`\d{14}${dl(0, 16)}`), qualifiers: {} },
  '8004': { key: full(dl(0, 30)), qualifiers: {} },
  '8006': { key: /^\d{18}$/, qualifiers: { '21': full(dl(0, 20)), '10': full(dl(0, 20)) } },
  '8010': { key: /^(?:[#\-/0-9A-Z]|%[0-9A-Fa-f]{2}){0,30}$/, qualifiers: { '8011': /^\d{0,12}$/ } },
  '8017': { key: /^\d{18}$/, qualifiers: {} },
  '8018': { key: /^\d{18}$/, qualifiers: {} },
};

/** Constrained canonical form of a GS1 Digital Link URI on any domain; undefined when it is not one. */
export function canonicalDigitalLink(uri: string): string | undefined {
  // A primary key's value opens with four digits (vocabulary URIs fail here, cheaply).
  if (!/\/\d{4}/.test(uri)) return undefined;
  const path = /^https?:\/\/[^/?#]+(\/[^?#]*)?(?:[?#].*)?$/.exec(uri)?.[1];
  if (!path) return undefined;
  const segments = path.split('/').filter((s) => s !== '');
  const at = segments.findIndex((s, i) => KEY_AI[s] !== undefined && /^\d{4}./.test(segments[i + 1] ?? ''));
  if (at < 0) return undefined;
  const pairs = segments.slice(at + 2);
  if (pairs.length % 2 !== 0) return undefined;
  const ai = KEY_AI[segments[at]];
  let key = segments[at + 1];
  // GTIN-8, -12 and -13 are written as GTIN-14.
  if (ai === '01' && [8, 12, 13].includes(key.length)) key = key.padStart(14, '0');
  let qualifiers: [string, string][] = [];
  for (let i = 0; i < pairs.length; i += 2) qualifiers.push([QUALIFIER_SHORT_NAME[pairs[i]] ?? pairs[i], pairs[i + 1]]);
  // Only the finest identification level counts: no consumer product variant, no lot next to a serial.
  qualifiers = qualifiers.filter(([q]) => q !== '22');
  if (qualifiers.some(([q]) => q === '21')) qualifiers = qualifiers.filter(([q]) => q !== '10');
  const form = KEY_FORMS[ai];
  if (!form.key.test(key) || qualifiers.length > 1) return undefined;
  const [q] = qualifiers;
  if (q && !form.qualifiers[q[0]]?.test(q[1])) return undefined;
  return `${CANONICAL}${ai}/${key}${q ? `/${q[0]}/${q[1]}` : ''}`;
}

/** The canonical Digital Link of an EPC URN or Digital Link URI, or undefined for any other value. */
export function canonicalGs1Uri(value: string): string | undefined {
  return value.startsWith('urn:epc:') ? epcUriToDigitalLink(value) : canonicalDigitalLink(value);
}

// Digital Link → EPC URI characters: what Digital Link escapes and EPC URIs leave bare comes back bare, and what
// Digital Link leaves bare but EPC URIs must escape gets escaped.
const toEpcChars = (s: string) => s
  .replace(/%(21|28|29|2[ABCabc]|3[Aa])/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)))
  .replace(/["<>?]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());

/** EPC URIs that could stand for a canonical Digital Link path, assuming a GS1 company prefix of `n` digits. */
function epcCandidates(ai: string, key: string, q: string | undefined, v: string | undefined, n: number): string[] {
  const gcp = (from: number) => key.slice(from, from + n);
  // GTIN, SSCC, ITIP: the indicator / extension digit leads the key and moves behind the company prefix.
  const indicated = (end: number) => `${gcp(1)}.${key[0]}${key.slice(1 + n, end)}`;
  const plain = (end: number) => `${gcp(0)}.${key.slice(n, end)}`;
  switch (ai) {
    case '01':
      if (q === '21') return [`urn:epc:id:sgtin:${indicated(13)}.${toEpcChars(v!)}`];
      if (q === '10') return [`urn:epc:class:lgtin:${indicated(13)}.${toEpcChars(v!)}`];
      if (q === '235') return [`urn:epc:id:upui:${indicated(13)}.${toEpcChars(v!)}`];
      return [];
    case '00': return [`urn:epc:id:sscc:${indicated(17)}`];
    case '414': return [`urn:epc:id:sgln:${plain(12)}.${q === '254' ? toEpcChars(v!) : '0'}`];
    case '417': return [`urn:epc:id:pgln:${plain(12)}`];
    case '8003': return [`urn:epc:id:grai:${gcp(1)}.${key.slice(1 + n, 13)}.${toEpcChars(key.slice(14))}`];
    case '8004': return [`urn:epc:id:giai:${gcp(0)}.${toEpcChars(key.slice(n))}`];
    case '8017': return [`urn:epc:id:gsrnp:${plain(17)}`];
    case '8018': return [`urn:epc:id:gsrn:${plain(17)}`];
    case '253': return [`urn:epc:id:gdti:${plain(12)}.${toEpcChars(key.slice(13))}`];
    case '255': return [`urn:epc:id:sgcn:${plain(12)}.${key.slice(13)}`];
    case '401': return [`urn:epc:id:ginc:${gcp(0)}.${toEpcChars(key.slice(n))}`];
    case '402': return [`urn:epc:id:gsin:${plain(16)}`];
    case '8006': return q === '21' ? [`urn:epc:id:itip:${indicated(13)}.${key.slice(14, 16)}.${key.slice(16, 18)}.${toEpcChars(v!)}`] : [];
    case '8010': return q === '8011' ? [`urn:epc:id:cpi:${gcp(0)}.${key.slice(n)}.${v}`] : [];
    default: return [];
  }
}

/**
 * Every EPC pure identity or class URN equivalent to a GS1 Digital Link (or EPC URN): one per GS1 company prefix
 * length (6 to 12 digits) that gives a well-formed URN converting back to the same canonical Digital Link. A Digital
 * Link does not say where the company prefix ends, so a query names them all; only one can match a real capture.
 */
export function equivalentEpcUris(value: string): string[] {
  const canonical = canonicalGs1Uri(value);
  if (!canonical) return [];
  const [ai, key, q, v] = canonical.slice(CANONICAL.length).split('/');
  const out = new Set<string>();
  for (let n = 6; n <= 12; n++) {
    for (const urn of epcCandidates(ai, key, q, v, n)) if (epcUriToDigitalLink(urn) === canonical) out.add(urn);
  }
  return [...out];
}
