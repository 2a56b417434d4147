/**
 * The capture core: an EPCIS 2.0 capture body, JSON-LD or XML, becomes a list of validated events in
 * one canonical JSON-LD form. No HTTP and no SQL here; routes and services call these two functions.
 *
 * Both bindings meet in the JSON-LD body: XML is first converted to exactly what a JSON sender would
 * have posted (epcis-xml.ts), then both are checked by the same rules (epcis-validate.ts) and the
 * standard vocabulary is compacted to bare words (epcis-document-vocab.ts).
 */
import { invalid } from '../platform/errors.ts';
import { compactEventVocabulary } from './epcis-document-vocab.ts';
import { epcisSchemaIssues, type SchemaIssue } from './epcis-validate.ts';
import { parseXmlTree } from './epcis-xml-tree.ts';
import { xmlOrderIssues, xmlRootKind, xmlToJsonLd } from './epcis-xml.ts';

type Json = Record<string, unknown>;

/** What the envelope said about the capture; `type` is the event type when a single event was sent. */
export interface DocumentMeta {
  type: string;
  schemaVersion?: string;
  creationDate?: string;
  id?: string;
  instanceIdentifier?: string;
  sender?: string;
  receiver?: string;
  epcisHeader?: Json;
  queryName?: string;
  subscriptionID?: string;
  /** Document-level user extensions, keyed `prefix:name`. */
  [extension: string]: unknown;
}

export interface ParsedCapture {
  /** The document's @context (for a single event, the event's own). Events keep any @context of their own. */
  context: unknown;
  events: Json[];
  documentMeta: DocumentMeta;
}

// Enough to fix a document; a body with thousands of bad events should not produce a huge error.
const MAX_REPORTED_ISSUES = 50;

function schemaError(issues: SchemaIssue[]) {
  const [first] = issues;
  const where = first.field === '' ? '(document)' : first.field;
  return invalid(
    'EPCIS_SCHEMA',
    `EPCIS 文档不符合 EPCIS 2.0 规范，问题字段：${where}`,
    `The EPCIS document breaks the EPCIS 2.0 rules at ${where}: ${first.message}`,
    { field: first.field, errors: issues.slice(0, MAX_REPORTED_ISSUES), errorCount: issues.length },
  );
}

const stripBom = (text: string) => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);

/** Validates a JSON-LD capture body and canonicalises it; `earlierIssues` are what XML order checks found. */
function capture(body: unknown, earlierIssues: SchemaIssue[]): ParsedCapture {
  const issues = [...earlierIssues, ...epcisSchemaIssues(body)];
  if (issues.length > 0) throw schemaError(issues);
  const { '@context': context, epcisBody, ...envelope } = structuredClone(body) as Json;
  let events: Json[];
  let documentMeta: DocumentMeta;
  if (envelope.type === 'EPCISDocument') {
    events = (epcisBody as { eventList: Json[] }).eventList;
    documentMeta = envelope as DocumentMeta;
  } else if (envelope.type === 'EPCISQueryDocument') {
    const { resultsBody, ...query } = (epcisBody as { queryResults: Json }).queryResults;
    events = (resultsBody as { eventList: Json[] }).eventList;
    documentMeta = { ...envelope, ...query } as DocumentMeta;
  } else {
    events = [envelope];
    documentMeta = { type: envelope.type as string };
  }
  events.forEach(compactEventVocabulary);
  return { context, events, documentMeta };
}

/** Parses and validates an EPCIS 2.0 JSON/JSON-LD capture body: an EPCISDocument or a single event. */
export function parseJsonCapture(text: string): ParsedCapture {
  let body: unknown;
  try {
    body = JSON.parse(stripBom(text));
  } catch (e) {
    const message = (e as Error).message;
    throw invalid('EPCIS_MALFORMED_JSON', 'EPCIS 文档不是合法的 JSON，无法解析', `The EPCIS document is not valid JSON: ${message}`, { message });
  }
  return capture(body, []);
}

/** Parses and validates an EPCIS 2.0 XML capture body: an EPCISDocument or a single event. */
export function parseXmlCapture(text: string): ParsedCapture {
  const root = parseXmlTree(stripBom(text));
  if (xmlRootKind(root) === null) {
    const name = root.prefix ? `${root.prefix}:${root.local}` : root.local;
    throw schemaError([{ field: '', message: `<${name}> is neither an EPCIS 2.0 document nor an EPCIS event (namespace "${root.ns}")` }]);
  }
  return capture(xmlToJsonLd(root), xmlOrderIssues(root));
}
