/**
 * EPCIS 2.0 XML → the JSON-LD body a JSON sender would have posted for the same capture.
 *
 * The mapping follows the JSON binding of EPCIS 2.0: list wrappers become arrays (`<epcList><epc>` →
 * `epcList: [...]`), attributes become plain keys (`<bizTransaction type="…">`), CBV URNs become the
 * bare words of the JSON-LD context, decimals and booleans become JSON numbers and booleans, 1.x-style
 * `<extension>` wrappers are flattened into their parent, and user elements and attributes from other
 * namespaces become `prefix:localName` keys whose prefixes are declared in the output @context.
 * The result is checked by the same rules as a JSON body (epcis-validate.ts); the XSD's element order,
 * which JSON cannot express, is checked here by xmlOrderIssues.
 */
import type { XmlElement, XmlName } from './epcis-xml-tree.ts';
import { VOCAB, compactTerm, type Vocabulary } from './epcis-document-vocab.ts';
import type { ContextInfo } from './epcis-hash.ts';
import type { SchemaIssue } from './epcis-validate.ts';

const EPCIS_XML_NS = 'urn:epcglobal:epcis:xsd:2';
const EPCIS_QUERY_XML_NS = 'urn:epcglobal:epcis-query:xsd:2';
const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';
const SBDH_NS = 'http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader';
const RDF_VALUE: XmlName = { ns: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#', local: 'value', prefix: 'rdf' };
// The GS1 EPCIS 2.0 JSON-LD context every converted document starts from.
const EPCIS_CONTEXT_URL = 'https://ref.gs1.org/standards/epcis/epcis-context.jsonld';

/** Namespaces the standard context already binds (as protected terms), so they are never redeclared. */
const STANDARD_PREFIXES: ReadonlyMap<string, string> = new Map([
  ['https://ref.gs1.org/epcis/', 'epcis'], ['https://ref.gs1.org/cbv/', 'cbv'], ['https://gs1.org/voc/', 'gs1'],
  // CBV master-data attributes live in XML namespace urn:epcglobal:cbv:mda; JSON-LD adds the ':' separator.
  ['urn:epcglobal:cbv:mda', 'cbvmda'], ['urn:epcglobal:cbv:mda:', 'cbvmda'],
  ['http://www.w3.org/2000/01/rdf-schema#', 'rdfs'], ['http://www.w3.org/2002/07/owl#', 'owl'],
  ['http://www.w3.org/2001/XMLSchema#', 'xsd'], ['http://purl.org/dc/terms/', 'dcterms'],
]);
const RESERVED_PREFIXES = new Set(STANDARD_PREFIXES.values());
// A CURIE key must also read as a URI, so its prefix has to be a valid URI scheme.
const SCHEME = /^[a-z][a-z0-9+.-]*$/i;

/** Chooses one JSON-LD prefix per XML namespace, keeping the XML prefix unless it clashes. */
class Prefixes {
  private readonly byNamespace = new Map<string, string>();
  private readonly declared: Record<string, string> = {};
  // The XML namespace behind each prefix used; for a standard prefix it may differ from the JSON-LD IRI.
  private readonly xmlNamespaces: Record<string, string> = {};

  key(name: XmlName): string {
    return name.ns === '' ? name.local : `${this.prefixFor(name.ns, name.prefix)}:${name.local}`;
  }

  private prefixFor(ns: string, wanted: string): string {
    const prefix = STANDARD_PREFIXES.get(ns) ?? this.byNamespace.get(ns) ?? this.declare(ns, wanted);
    // Both spellings of the CBV master-data namespace share cbvmda; the first one the document uses is kept.
    this.xmlNamespaces[prefix] ??= ns;
    return prefix;
  }

  private declare(ns: string, wanted: string): string {
    const base = SCHEME.test(wanted) && !RESERVED_PREFIXES.has(wanted) ? wanted : 'ns';
    let prefix = base;
    for (let n = 2; prefix in this.declared || RESERVED_PREFIXES.has(prefix); n++) prefix = `${base}${n}`;
    this.byNamespace.set(ns, prefix);
    this.declared[prefix] = ns;
    return prefix;
  }

  context(): unknown[] {
    return Object.keys(this.declared).length === 0 ? [EPCIS_CONTEXT_URL] : [EPCIS_CONTEXT_URL, { ...this.declared }];
  }

  /** Each prefix used so far → the namespace IRI as the XML wrote it. */
  namespaces(): Record<string, string> {
    return { ...this.xmlNamespaces };
  }
}

type Json = Record<string, unknown>;
type Convert = (el: XmlElement, p: Prefixes) => unknown;

/** Collects an object's keys in document order; a key seen twice becomes an array, as in JSON. */
class Fields {
  private readonly values = new Map<string, unknown[]>();
  add(key: string, value: unknown): void {
    if (value === undefined) return;
    const list = this.values.get(key);
    if (list) list.push(value);
    else this.values.set(key, [value]);
  }
  get size(): number {
    return this.values.size;
  }
  toJson(): Json {
    return Object.fromEntries([...this.values].map(([k, v]) => [k, v.length === 1 ? v[0] : v]));
  }
}

// Unqualified elements are EPCIS's own; senders that qualify them with the EPCIS namespace are accepted too.
const isStandard = (el: XmlName) => el.ns === '' || el.ns === EPCIS_XML_NS;
const isNil = (el: XmlElement) => el.attributes.some((a) => a.ns === XSI_NS && a.local === 'nil' && (a.value === 'true' || a.value === '1'));

/**
 * A user extension element as JSON: its text, or an object of its attributes and child elements.
 * A wholly empty element has no JSON value and is left out, as the JSON binding's examples do.
 */
function extensionValue(el: XmlElement, p: Prefixes): unknown {
  if (isNil(el)) return null;
  const out = new Fields();
  addAttributes(el, p, out);
  for (const child of el.children) out.add(p.key(child), extensionValue(child, p));
  if (out.size === 0) return el.text === '' ? undefined : el.text;
  // Text beside attributes or children has no JSON key of its own; rdf:value is the RDF idiom for it.
  if (el.text !== '') out.add(p.key(RDF_VALUE), el.text);
  return out.toJson();
}

/** xsi:type and xsi:nil describe the XML itself, not the data, so they never become keys. */
function addAttributes(el: XmlElement, p: Prefixes, out: Fields, convert: Record<string, Convert> = {}): void {
  for (const a of el.attributes) {
    if (a.ns === XSI_NS) continue;
    // Converters read an element's text, so an attribute is handed over as a childless element.
    const attributeAsElement = { ...a, attributes: [], children: [], text: a.value };
    out.add(p.key(a), a.ns === '' && convert[a.local] ? convert[a.local](attributeAsElement, p) : a.value);
  }
}

/** An element the XSD does not allow where it stands; even when empty it must reach validation. */
const unexpected: Convert = (el, p) => extensionValue(el, p) ?? '';

// The XML element names whose JSON key is spelt differently.
const JSON_KEY: Record<string, string> = { EPCISBody: 'epcisBody', EventList: 'eventList', QueryResults: 'queryResults' };

/** Adds the child elements of a standard element; `extension` wrappers are flattened into the parent. */
function addChildren(el: XmlElement, p: Prefixes, out: Fields, convert: Record<string, Convert>): void {
  for (const child of el.children) {
    if (!isStandard(child)) out.add(p.key(child), extensionValue(child, p));
    else if (child.local === 'extension' || child.local === 'baseExtension') addChildren(child, p, out, convert);
    // An unknown unqualified element keeps its bare name, which the schema then refuses.
    else out.add(JSON_KEY[child.local] ?? child.local, (convert[child.local] ?? unexpected)(child, p));
  }
}

/**
 * A standard element as a JSON object. Only sensorMetadata and sensorReport are declared with text
 * content in the XSD; stray text in other standard elements is insignificant whitespace or noise.
 */
function object(convert: Record<string, Convert>, attributeConvert: Record<string, Convert> = {}, keepText = false): Convert {
  return (el, p) => {
    const out = new Fields();
    addAttributes(el, p, out, attributeConvert);
    addChildren(el, p, out, convert);
    if (keepText && el.text !== '') out.add(p.key(RDF_VALUE), el.text);
    return out.toJson();
  };
}

/** The items of a list wrapper; an unexpected child is kept as an object so that validation names it. */
function list(item: string, convert: Convert): Convert {
  return (el, p) => el.children.map((c) => (isStandard(c) && c.local === item
    ? convert(c, p)
    : { [isStandard(c) ? c.local : p.key(c)]: unexpected(c, p) }));
}

/** The elements of a wrapper that are not the given standard ones, for converting the rest generically. */
const without = (el: XmlElement, locals: string[]): XmlElement =>
  ({ ...el, children: el.children.filter((c) => !(isStandard(c) && locals.includes(c.local))) });
const standardChildren = (el: XmlElement, local: string) => el.children.filter((c) => isStandard(c) && c.local === local);
const attribute = (el: XmlElement, local: string) => el.attributes.find((a) => a.ns === '' && a.local === local)?.value;

const text: Convert = (el) => el.text;
const vocabulary = (vocab: Vocabulary): Convert => (el) => compactTerm(vocab, el.text);
// xsd:decimal / xsd:double lexical forms; anything else stays a string and fails validation as "not a number".
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
const DOUBLE = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const decimal: Convert = (el) => (isNil(el) ? undefined : DECIMAL.test(el.text) ? Number(el.text) : el.text);
const double: Convert = (el) => (DOUBLE.test(el.text) ? Number(el.text) : el.text);
const BOOLEAN: Record<string, boolean> = { true: true, false: false, 1: true, 0: false };
const boolean: Convert = (el) => BOOLEAN[el.text] ?? el.text;

const epcs = list('epc', text);
const quantities = list('quantityElement', object({ epcClass: text, quantity: decimal, uom: text }));
const location = object({ id: text });
/** bizTransaction, source and destination: the identifier is the text, its type an attribute. */
const typedIdentifier = (key: string, types: Vocabulary): Convert => {
  const typed = object({}, { type: vocabulary(types) });
  return (el, p) => ({ ...(typed(el, p) as Json), [key]: el.text });
};

const SENSOR_REPORT_ATTRIBUTES: Record<string, Convert> = {
  type: vocabulary(VOCAB.measurementType), exception: vocabulary(VOCAB.sensorAlertType),
  component: vocabulary(VOCAB.component), booleanValue: boolean,
  ...Object.fromEntries(['value', 'minValue', 'maxValue', 'meanValue', 'sDev', 'percRank', 'percValue'].map((k) => [k, double])),
};
const sensorElementRest = object({ sensorMetadata: object({}, {}, true) });
const sensorReport = object({}, SENSOR_REPORT_ATTRIBUTES, true);
// sensorReport repeats yet is always an array in JSON, even when there is only one.
const sensorElement: Convert = (el, p) => ({
  ...(sensorElementRest(without(el, ['sensorReport']), p) as Json),
  sensorReport: standardChildren(el, 'sensorReport').map((r) => sensorReport(r, p)),
});
const plainObject = object({});
const persistentDisposition: Convert = (el, p) => {
  const out = plainObject(without(el, ['set', 'unset']), p) as Json;
  for (const key of ['set', 'unset']) {
    const items = standardChildren(el, key).map((c) => compactTerm(VOCAB.disposition, c.text));
    if (items.length > 0) out[key] = items;
  }
  return out;
};

const EVENT_FIELDS: Record<string, Convert> = {
  eventTime: text, recordTime: text, eventTimeZoneOffset: text, eventID: text, certificationInfo: text,
  errorDeclaration: object({ declarationTime: text, reason: vocabulary(VOCAB.errorReason), correctiveEventIDs: list('correctiveEventID', text) }),
  action: text, parentID: text, transformationID: text,
  epcList: epcs, childEPCs: epcs, inputEPCList: epcs, outputEPCList: epcs,
  quantityList: quantities, childQuantityList: quantities, inputQuantityList: quantities, outputQuantityList: quantities,
  bizStep: vocabulary(VOCAB.bizStep), disposition: vocabulary(VOCAB.disposition), persistentDisposition,
  readPoint: location, bizLocation: location,
  bizTransactionList: list('bizTransaction', typedIdentifier('bizTransaction', VOCAB.bizTransactionType)),
  sourceList: list('source', typedIdentifier('source', VOCAB.sourceDestType)),
  destinationList: list('destination', typedIdentifier('destination', VOCAB.sourceDestType)),
  sensorElementList: list('sensorElement', sensorElement),
  ilmd: plainObject,
};

/** The event elements of an EventList, including those a 1.x-style `<extension>` wraps. */
function eventElements(eventList: XmlElement): XmlElement[] {
  return eventList.children.flatMap((c) => (isStandard(c) && c.local === 'extension' ? eventElements(c) : [c]));
}

const eventFields = object(EVENT_FIELDS);
const event: Convert = (el, p) =>
  // A user-defined event type from another namespace becomes a CURIE type, as the JSON binding allows.
  ({ type: isStandard(el) ? el.local : p.key(el), ...(eventFields(el, p) as Json) });
const eventList: Convert = (el, p) => eventElements(el).map((e) => event(e, p));

const vocabularyElement: Convert = (el, p) => {
  const attributes = standardChildren(el, 'attribute').map((a) => {
    const value = extensionValue({ ...a, attributes: a.attributes.filter((x) => !(x.ns === '' && x.local === 'id')) }, p);
    return { id: attribute(a, 'id'), ...(value === undefined ? {} : { attribute: value }) };
  });
  const children = standardChildren(el, 'children')[0]?.children.map((c) => c.text);
  return { id: attribute(el, 'id'), ...(attributes.length > 0 ? { attributes } : {}), ...(children ? { children } : {}) };
};
const vocabularyElementList = list('VocabularyElement', vocabularyElement);
const vocabularyList = list('Vocabulary', (v, p) => {
  const elements = standardChildren(v, 'VocabularyElementList')[0];
  return { type: attribute(v, 'type'), ...(elements ? { vocabularyElementList: vocabularyElementList(elements, p) } : {}) };
});

/** The pseudo-SBDH keys of the JSON binding (sender, receiver, instanceIdentifier) and the master data. */
function header(el: XmlElement, p: Prefixes): Json {
  const sbdh = (...path: string[]) => path.reduce<XmlElement | undefined>(
    (at, local) => at?.children.find((c) => c.ns === SBDH_NS && c.local === local), el)?.text;
  const masterData = standardChildren(el, 'extension').flatMap((x) => standardChildren(x, 'EPCISMasterData'))[0];
  const vocabularies = masterData && standardChildren(masterData, 'VocabularyList')[0];
  const out: Json = {
    sender: sbdh('StandardBusinessDocumentHeader', 'Sender', 'Identifier'),
    receiver: sbdh('StandardBusinessDocumentHeader', 'Receiver', 'Identifier'),
    instanceIdentifier: sbdh('StandardBusinessDocumentHeader', 'DocumentIdentification', 'InstanceIdentifier'),
    epcisHeader: vocabularies && { epcisMasterData: { vocabularyList: vocabularyList(vocabularies, p) } },
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined));
}

const DOCUMENT_FIELDS: Record<string, Convert> = {
  EPCISBody: object({
    EventList: eventList,
    QueryResults: object({ queryName: text, subscriptionID: text, resultsBody: object({ EventList: eventList }) }),
  }),
};
const ROOT_ATTRIBUTES: Record<string, Convert> = { schemaVersion: text, creationDate: text };

function document(root: XmlElement, p: Prefixes): Json {
  const out = new Fields();
  out.add('type', root.local);
  addAttributes(root, p, out, ROOT_ATTRIBUTES);
  for (const head of standardChildren(root, 'EPCISHeader')) {
    for (const [k, v] of Object.entries(header(head, p))) out.add(k, v);
  }
  addChildren(without(root, ['EPCISHeader']), p, out, DOCUMENT_FIELDS);
  return out.toJson();
}

const EVENT_TYPES = new Set(['ObjectEvent', 'AggregationEvent', 'TransactionEvent', 'TransformationEvent', 'AssociationEvent']);
const isDocument = (root: XmlElement) => (root.ns === EPCIS_XML_NS && root.local === 'EPCISDocument')
  || (root.ns === EPCIS_QUERY_XML_NS && root.local === 'EPCISQueryDocument');

/** Whether an XML root element is an EPCIS document, a single EPCIS event, or neither. */
export function xmlRootKind(root: XmlElement): 'document' | 'event' | null {
  if (isDocument(root)) return 'document';
  return isStandard(root) && EVENT_TYPES.has(root.local) ? 'event' : null;
}

// schemaVersion and creationDate on a bare event describe the message, not the event; they are dropped.
const bareEvent = (root: XmlElement, p: Prefixes) =>
  event({ ...root, attributes: root.attributes.filter((a) => !(a.ns === '' && a.local in ROOT_ATTRIBUTES)) }, p) as Json;

/** Converts an EPCIS 2.0 XML document or single event into its JSON-LD body (see the file comment). */
export function xmlToJsonLd(root: XmlElement): Json {
  const p = new Prefixes();
  const body = isDocument(root) ? document(root, p) : bareEvent(root, p);
  // The prefixes are only known once everything has been converted, so @context is added last.
  return { '@context': p.context(), ...body };
}

// ---- event hash input ---------------------------------------------------------------------------

/** The EventList elements under an element, wherever they sit (not looking inside events). */
function eventListsUnder(el: XmlElement): XmlElement[] {
  return el.children.flatMap((c) => (isStandard(c) && c.local === 'EventList' ? [c] : eventListsUnder(c)));
}

/** The fields named by user-namespace `ignoreFields` elements of a document or its query results, as `{ns}local`. */
function ignoredFields(root: XmlElement): string[] {
  const queryResults = standardChildren(root, 'EPCISBody').flatMap((b) => standardChildren(b, 'QueryResults'));
  return [root, ...queryResults]
    .flatMap((holder) => holder.children.filter((c) => !isStandard(c) && c.local === 'ignoreFields'))
    .flatMap((list) => list.children.map((f) => (f.ns === '' ? f.local : `{${f.ns}}${f.local}`)));
}

/**
 * What the event hash (epcis-hash.ts) needs from an XML document, whether or not it is a valid capture:
 * - `events`: each event of each EventList, wherever the list sits (the reference generator reads XML that
 *   way), or the root itself when it is a single event, converted exactly as xmlToJsonLd converts them;
 * - `context.namespaces`: for each prefix those events use, the namespace IRI as the XML wrote it. The hash
 *   names an XML extension by its XML expanded name, so `<cbvmda:lotNumber>` in namespace urn:epcglobal:cbv:mda
 *   hashes as {urn:epcglobal:cbv:mda}lotNumber, without the ':' that JSON-LD's cbvmda prefix carries;
 * - `context.ignoreFields`: the XML form of JSON-LD's `"x:ignoreFields": ["ex:field"]`, an `<x:ignoreFields>`
 *   element (document or query-results level) whose child elements are named as the fields to leave out.
 * For a valid capture the events are those parseXmlCapture returns, so `context` also serves its events.
 */
export function xmlHashInput(root: XmlElement): { events: Json[]; context: ContextInfo } {
  const p = new Prefixes();
  // Converting the whole document first gives every namespace the prefix xmlToJsonLd gives it.
  if (isDocument(root)) document(root, p);
  const events = xmlRootKind(root) === 'event'
    ? [bareEvent(root, p)]
    : eventListsUnder(root).flatMap((list) => eventList(list, p) as Json[]);
  return { events, context: { namespaces: p.namespaces(), ignoreFields: ignoredFields(root) } };
}

// ---- XSD element order --------------------------------------------------------------------------

const BASE_ORDER = ['eventTime', 'recordTime', 'eventTimeZoneOffset', 'eventID', 'errorDeclaration', 'certificationInfo', 'baseExtension'];
const WHY_WHERE = ['bizStep', 'disposition', 'readPoint', 'bizLocation'];
const TAIL = ['sourceList', 'destinationList', 'sensorElementList', 'persistentDisposition'];
/** Each event type's xsd:sequence in EPCglobal-epcis-2_0.xsd (after the common EPCISEventType part). */
const EVENT_ORDER: Record<string, string[]> = {
  ObjectEvent: ['epcList', 'action', ...WHY_WHERE, 'bizTransactionList', 'quantityList', ...TAIL, 'ilmd', 'extension'],
  AggregationEvent: ['parentID', 'childEPCs', 'action', ...WHY_WHERE, 'bizTransactionList', 'childQuantityList', ...TAIL, 'extension'],
  TransactionEvent: ['bizTransactionList', 'parentID', 'epcList', 'action', ...WHY_WHERE, 'quantityList', ...TAIL, 'extension'],
  TransformationEvent: ['inputEPCList', 'inputQuantityList', 'outputEPCList', 'outputQuantityList', 'transformationID', ...WHY_WHERE, 'bizTransactionList', ...TAIL, 'ilmd', 'extension'],
  AssociationEvent: ['parentID', 'childEPCs', 'childQuantityList', 'action', ...WHY_WHERE, 'bizTransactionList', ...TAIL, 'extension'],
};
const NESTED_ORDER: Record<string, string[]> = {
  quantityElement: ['epcClass', 'quantity', 'uom'],
  sensorElement: ['sensorMetadata', 'sensorReport', 'extension'],
  persistentDisposition: ['unset', 'set'],
  readPoint: ['id', 'extension'],
  bizLocation: ['id', 'extension'],
};
const LIST_ITEMS: Record<string, string> = {
  quantityList: 'quantityElement', childQuantityList: 'quantityElement', inputQuantityList: 'quantityElement',
  outputQuantityList: 'quantityElement', sensorElementList: 'sensorElement',
};

/** Positions (into `keys`) of one longest non-decreasing subsequence, found by patience sorting. */
function longestOrderedRun(keys: number[]): Set<number> {
  const tails: number[] = [];
  const previous: number[] = [];
  keys.forEach((k, i) => {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (keys[tails[mid]] <= k) lo = mid + 1;
      else hi = mid;
    }
    previous[i] = lo > 0 ? tails[lo - 1] : -1;
    tails[lo] = i;
  });
  const run = new Set<number>();
  for (let i = tails.length > 0 ? tails[tails.length - 1] : -1; i >= 0; i = previous[i]) run.add(i);
  return run;
}

/**
 * Children must follow the xsd:sequence, with user elements (xsd:any ##other) last. The elements kept in
 * place are the longest run already in order; each of the others is reported as the one out of place.
 */
function sequenceIssues(el: XmlElement, order: string[], at: string[]): SchemaIssue[] {
  const name = (c: XmlElement) => (c.prefix ? `${c.prefix}:${c.local}` : c.local);
  const placed = el.children
    .map((c) => ({ c, rank: !isStandard(c) ? order.length : order.indexOf(c.local) }))
    .filter((x) => x.rank >= 0);
  const run = longestOrderedRun(placed.map((x) => x.rank));
  // The run is sorted by rank, so the element a misplaced one belongs after is found by binary search.
  const kept = placed.filter((_, i) => run.has(i));
  const lastAtOrBelow = (rank: number) => {
    let lo = 0;
    let hi = kept.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (kept[mid].rank <= rank) lo = mid + 1;
      else hi = mid;
    }
    return kept[lo - 1];
  };
  return placed.flatMap((x, i) => {
    if (run.has(i)) return [];
    const before = lastAtOrBelow(x.rank);
    const where = x.rank === order.length ? 'after all standard fields'
      : before ? `after <${name(before.c)}>` : `before <${name(kept[0].c)}>`;
    const field = isStandard(x.c) ? x.c.local : name(x.c);
    return [{ field: [...at, field].join('.'), message: `<${name(x.c)}> is out of order: the XSD puts it ${where}` }];
  });
}

function eventOrderIssues(ev: XmlElement, at: string[]): SchemaIssue[] {
  const issues = sequenceIssues(ev, [...BASE_ORDER, ...EVENT_ORDER[ev.local]], at);
  for (const c of ev.children.filter(isStandard)) {
    const item = LIST_ITEMS[c.local];
    if (item) {
      c.children.forEach((x, i) => {
        if (isStandard(x) && x.local === item) issues.push(...sequenceIssues(x, NESTED_ORDER[item], [...at, c.local, String(i)]));
      });
    } else if (NESTED_ORDER[c.local]) {
      issues.push(...sequenceIssues(c, NESTED_ORDER[c.local], [...at, c.local]));
    }
  }
  return issues;
}

/** Violations of the XSD's element order, named by the JSON path the element converts to. */
export function xmlOrderIssues(root: XmlElement): SchemaIssue[] {
  if (!isDocument(root)) return isStandard(root) && EVENT_ORDER[root.local] ? eventOrderIssues(root, []) : [];
  const issues = sequenceIssues(root, ['EPCISHeader', 'EPCISBody', 'extension'], []);
  const isQuery = root.local === 'EPCISQueryDocument';
  const path = isQuery ? ['EPCISBody', 'QueryResults', 'resultsBody', 'EventList'] : ['EPCISBody', 'EventList'];
  const list = path.reduce<XmlElement | undefined>((at, local) => at && standardChildren(at, local)[0], root);
  const at = isQuery ? ['epcisBody', 'queryResults', 'resultsBody', 'eventList'] : ['epcisBody', 'eventList'];
  (list ? eventElements(list) : []).forEach((ev, i) => {
    if (isStandard(ev) && EVENT_ORDER[ev.local]) issues.push(...eventOrderIssues(ev, [...at, String(i)]));
  });
  return issues;
}
