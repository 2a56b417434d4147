import digitalLinkJs from 'digital-link.js';
import { DomainError, invalid } from '../platform/errors.ts';
import { checkGtin, toGtin14 } from '../catalog/gtin.ts';
import { type CodeKind, parseCode } from './code-scheme.ts';
import type { TraceTarget } from './codes-types.ts';

const FORMAT_MESSAGES = {
  CODE_FORMAT: ['追溯码格式不正确（应为 16 位）', 'Not a trace code: it has 16 characters of the code alphabet'],
  CODE_CHECKSUM: ['追溯码校验位错误，请核对是否输错', 'The trace code check character is wrong: check for a typing error'],
} as const;

/** Parses a trace code as typed or scanned, throwing CODE_FORMAT or CODE_CHECKSUM (400) when it is not one. */
export function parseCodeOrThrow(input: string, field = 'code') {
  const p = parseCode(input);
  if (typeof p === 'string') throw invalid(p, FORMAT_MESSAGES[p][0], FORMAT_MESSAGES[p][1], { field });
  return p;
}

/** The plain scan URL of a code: `{publicUrl}/t/{code}`. */
export function scanUrl(publicUrl: string, code: string): string {
  return `${publicUrl}/t/${code}`;
}

/** GS1 AI 10 (lot) holds 1–20 characters of GS1 character set 82; other lots cannot go into a Digital Link. */
export function isGs1Lot(lot: string): boolean {
  return /^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,20}$/.test(lot);
}

/**
 * The GS1 Digital Link of a code: `/01/{gtin}/21/{code}` for an item (the code is the serial),
 * `/01/{gtin}/10/{lot}` for a batch code. Null without a GTIN, or for a lot GS1 cannot carry.
 */
export function digitalLink(publicUrl: string, c: { kind: CodeKind; code: string; gtin: string | null; lot: string | null }): string | null {
  if (!c.gtin) return null;
  const gtin = toGtin14(c.gtin);
  if (c.kind === 'item') return `${publicUrl}/01/${gtin}/21/${c.code}`;
  return c.lot && isGs1Lot(c.lot) ? `${publicUrl}/01/${gtin}/10/${encodeURIComponent(c.lot)}` : null;
}

/** What the QR on a label encodes: the Digital Link when there is one, else the scan URL. */
export function qrUrl(publicUrl: string, c: { kind: CodeKind; code: string; gtin: string | null; lot: string | null }): string {
  return digitalLink(publicUrl, c) ?? scanUrl(publicUrl, c.code);
}

function assertGtin(gtin: string): void {
  const problem = checkGtin(gtin);
  if (problem) throw invalid(problem, 'GTIN 格式或校验位错误', 'The GTIN is malformed or its check digit is wrong', { field: 'gtin' });
}

const notTraceable = () => invalid('CODE_FORMAT', '无法识别：应为追溯码、扫码网址或带批次/序列号的 GS1 数字链接',
  'Not recognised: expected a trace code, a scan URL or a GS1 Digital Link with a lot or serial', { field: 'code' });

/** A Digital Link key: GTIN plus lot (AI 10, a batch) or serial (AI 21, an item whose serial is its trace code). */
export function digitalLinkTarget(gtin: string, ai: '10' | '21', value: string): TraceTarget {
  assertGtin(gtin);
  if (ai === '21') return { by: 'serial', gtin: toGtin14(gtin), code: parseCodeOrThrow(value, 'serial').code };
  if (!value) throw notTraceable();
  return { by: 'lot', gtin: toGtin14(gtin), lot: value };
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw notTraceable();
  }
}

/**
 * Reads what a scanner or a person hands over: a bare code (any spacing or case), a scan URL ending in
 * `/t/{code}` (of any node), or a GS1 Digital Link with a lot or serial (of any domain). With `field`, an error
 * names the request field the value came from.
 */
export function parseTraceInput(input: string, field?: string): TraceTarget {
  try {
    return readTraceInput(input);
  } catch (e) {
    if (field !== undefined && e instanceof DomainError) throw new DomainError(e.kind, e.code, e.zh, e.en, { ...e.details, field });
    throw e;
  }
}

function readTraceInput(input: string): TraceTarget {
  const s = input.trim();
  if (s.length > 2048) throw notTraceable();
  if (!/^https?:\/\//i.test(s)) return { by: 'code', code: parseCodeOrThrow(s).code };
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    throw notTraceable();
  }
  const segments = url.pathname.split('/').filter(Boolean);
  if (segments.length >= 2 && segments.at(-2) === 't') return { by: 'code', code: parseCodeOrThrow(decode(segments.at(-1)!)).code };
  let dl;
  try {
    dl = digitalLinkJs.DigitalLink(s);
  } catch {
    throw notTraceable();
  }
  const gtin = dl.getIdentifier()['01'];
  if (!gtin) throw notTraceable();
  // isValid checks the grammar and the GTIN check digit; a bad GTIN is reported by name.
  assertGtin(gtin);
  if (!dl.isValid()) throw notTraceable();
  const q = dl.getKeyQualifiers();
  if (q['21'] !== undefined) return digitalLinkTarget(gtin, '21', decode(q['21']));
  if (q['10'] !== undefined) return digitalLinkTarget(gtin, '10', decode(q['10']));
  throw notTraceable();
}

/** One CSV line (RFC 4180 quoting) ending in CRLF. */
export function csvLine(fields: readonly (string | null)[]): string {
  return fields.map((f) => (f === null ? '' : /[",\r\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(',') + '\r\n';
}
