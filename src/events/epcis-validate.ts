/**
 * Our own statement of the rules the GS1 EPCIS 2.0 JSON Schema enforces on a capture body.
 *
 * The official schema is published under the GS1 disclaimer with no open-source licence, so it is not
 * shipped with Suyuan; this module re-expresses its rules in zod instead, and the test suite checks that
 * acceptance agrees with ajv running the official schema (read in place from ../shared/conformance).
 * Formats ("uri", "date-time") use the very checkers of ajv-formats so that edge cases agree too.
 *
 * Deliberate differences from the official schema, each listed and checked by that test:
 *   - where the XSD is more liberal than the JSON Schema, the XSD is followed: persistentDisposition on every
 *     event type (the JSON Schema only has it on ObjectEvent and TransformationEvent), a sensor report without
 *     `type`, and repeated entries in epcList, inputEPCList, outputEPCList and persistentDisposition set/unset;
 *   - a sensor report's `type` may be any URI, CURIE or vocabulary word (the JSON Schema has a closed list);
 *   - a sensor report's `exception` written as a gs1: CURIE must name a listed term (the JSON Schema lets
 *     any gs1: CURIE through as an opaque URI while refusing the same term as a GS1 web IRI).
 */
import { z } from 'zod';
import ajvFormats from 'ajv-formats';
import {
  BIZ_STEPS, BIZ_TRANSACTION_TYPES, COMPONENTS, DISPOSITIONS, ERROR_REASONS, MEASUREMENT_TYPES,
  SENSOR_ALERT_TYPES, SOURCE_DEST_TYPES, isVocabularyWord,
} from './epcis-document-vocab.ts';

/** One schema violation: the dotted JSON path of the offending field and what is wrong with it. */
export interface SchemaIssue { field: string; message: string }

type Json = Record<string, unknown>;
type Path = (string | number)[];

// ajv-formats is CommonJS: Node hands ESM its module.exports, whose `default` is the plugin again.
const formats = ajvFormats.default;
/** The checker ajv-formats ("full" mode) uses for a format: a function, or an object holding one. */
function formatChecker(name: 'uri' | 'date-time'): (s: string) => boolean {
  const f = formats.get(name);
  const check = typeof f === 'function' ? f : typeof f === 'object' && 'validate' in f ? f.validate : undefined;
  if (typeof check !== 'function') throw new Error(`ajv-formats has no "${name}" checker`);
  return check as (s: string) => boolean;
}
const isUri = formatChecker('uri');
const isDateTime = formatChecker('date-time');
/** A compact IRI `prefix:reference` whose prefix is a JSON-LD term (which need not be a URI scheme). */
const isCurie = (v: string) => /^[A-Za-z_][\w.-]*:\S+$/.test(v);

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
/** JSON Schema `uniqueItems`: no two items are deeply equal (key order does not matter). */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObject(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  return JSON.stringify(v);
}
const unique = (items: unknown[]) => new Set(items.map(canonical)).size === items.length;

// ---- leaf types -------------------------------------------------------------------------------

const uri = z.string().refine(isUri, 'must be an absolute URI');
const time = z.string().refine(isDateTime, 'must be an RFC 3339 date-time with a time zone');
const decimal = z.number();
// The official pattern: a URI in the CBV's own namespaces must be written as its bare word instead.
const notCbvUri = (v: string) => isUri(v) && !/^(urn:epcglobal:cbv|https?:\/\/ns\.gs1\.org\/cbv\/)/.test(v);
/**
 * A deliberate deviation from the official schema: it refuses GS1 web-vocabulary IRIs outside its lists
 * but lets the CURIE `gs1:Anything` through as an opaque URI. Both name the same term, so for a sensor
 * alert (`exception`) a gs1: CURIE must also name a listed term (the XML binding writes `gs1:ALARM_CONDITION`).
 */
const notGs1VocUri = (v: string) => isUri(v) && !/^(https?:\/\/(www\.)?gs1\.org\/voc\/|gs1:)/.test(v);
const cbvTerm = (words: ReadonlySet<string>, what: string) =>
  z.string().refine((v) => words.has(v) || notCbvUri(v), `must be a standard ${what} or a non-standard URI`);
const gs1Term = (words: ReadonlySet<string>, what: string) =>
  z.string().refine((v) => words.has(v) || (v.startsWith('gs1:') && words.has(v.slice(4))) || notGs1VocUri(v),
    `must be a standard ${what} or a URI outside the GS1 web vocabulary`);

const bizStep = cbvTerm(BIZ_STEPS, 'business step');
const disposition = cbvTerm(DISPOSITIONS, 'disposition');
const bizTransactionType = cbvTerm(BIZ_TRANSACTION_TYPES, 'business transaction type');
const sourceDestType = cbvTerm(SOURCE_DEST_TYPES, 'source/destination type');
const errorReason = cbvTerm(ERROR_REASONS, 'error reason');
const component = cbvTerm(COMPONENTS, 'sensor component');
/**
 * A sensor report's `type` is open, deliberately more liberal than the official schema, whose closed list of
 * GS1 measurement types misses terms senders and the standard's own examples use (gs1:EffectiveDoseRate):
 * a platform must not lose a reading because its type word is unknown. Any URI or CURIE is accepted, and so
 * is any bare vocabulary word, which the JSON-LD binding reads as a GS1 web-vocabulary term
 * (EffectiveDoseRate = gs1:EffectiveDoseRate). What cannot name a term at all (spaces, empty) is refused.
 */
const measurementType = z.string().refine((v) => MEASUREMENT_TYPES.has(v) || isUri(v) || isCurie(v) || isVocabularyWord(v),
  'must be a measurement type: a GS1 term, a URI or a CURIE (prefix:term)');
const sensorAlertType = gs1Term(SENSOR_ALERT_TYPES, 'sensor alert type');

const context = z.union([
  uri,
  z.looseObject({}),
  z.array(z.union([uri, z.looseObject({})])).refine(unique, 'must not repeat an entry'),
], { error: 'must be a context URI, a context object, or a list of them' });

// ---- objects ----------------------------------------------------------------------------------

/**
 * JSON Schema `propertyNames`: apart from the listed standard keys, an object may only carry extension
 * keys that are URIs or CURIEs (`example:myField`). Runs even when other fields already failed.
 */
function onlyKeys<T extends z.ZodType>(schema: T, known: readonly string[]): T {
  const allowed = new Set(known);
  return schema.superRefine((value, ctx) => {
    if (!isObject(value)) return;
    for (const key of Object.keys(value)) {
      if (!allowed.has(key) && !isUri(key)) {
        ctx.addIssue({ code: 'custom', path: [key], message: `"${key}" is not allowed here: only the standard fields and namespaced extensions (prefix:name) are` });
      }
    }
  }, { when: () => true });
}

const location = z.looseObject({ id: uri });
const quantityElement = z.strictObject({ epcClass: uri, quantity: decimal.optional(), uom: z.string().regex(/^[A-Z0-9]{2,3}$/, 'must be a 2–3 character UN/CEFACT unit code').optional() });
const quantityList = z.array(quantityElement);
// The JSON Schema makes epcList, inputEPCList, outputEPCList and persistentDisposition's set/unset
// `uniqueItems`; the XSD lets their elements repeat. The liberal reading is followed (a repeated identifier
// names the same object twice, and the event store indexes it once).
const epcList = z.array(uri);
const bizTransactionList = z.array(z.strictObject({ type: bizTransactionType.optional(), bizTransaction: uri }));
const sourceList = z.array(z.strictObject({ type: sourceDestType, source: uri }));
const destinationList = z.array(z.strictObject({ type: sourceDestType, destination: uri }));
const dispositionSet = z.array(disposition).min(1);
const persistentDisposition = z.strictObject({ set: dispositionSet.optional(), unset: dispositionSet.optional() })
  .refine((p) => p.set !== undefined || p.unset !== undefined, 'needs "set" or "unset"');

const sensorMetadataFields = { time: time.optional(), deviceID: uri.optional(), deviceMetadata: uri.optional(), rawData: uri.optional(), startTime: time.optional(), endTime: time.optional(), dataProcessingMethod: uri.optional(), bizRules: uri.optional() };
const sensorMetadata = onlyKeys(z.looseObject(sensorMetadataFields), Object.keys(sensorMetadataFields));
const sensorReportFields = {
  // `type` is optional in the XSD (an alert-only report carries just `exception`), required by the JSON Schema.
  type: measurementType.optional(), exception: sensorAlertType.optional(), deviceID: uri.optional(), deviceMetadata: uri.optional(),
  rawData: uri.optional(), dataProcessingMethod: uri.optional(), bizRules: uri.optional(), time: time.optional(),
  microorganism: uri.optional(), chemicalSubstance: uri.optional(), coordinateReferenceSystem: uri.optional(),
  value: decimal.optional(), component: component.optional(), stringValue: z.string().optional(),
  booleanValue: z.boolean().optional(), hexBinaryValue: z.string().regex(/^[A-Fa-f0-9]+$/, 'must be hexadecimal').optional(),
  uriValue: uri.optional(), minValue: decimal.optional(), maxValue: decimal.optional(), meanValue: decimal.optional(),
  sDev: decimal.optional(), percRank: decimal.optional(), percValue: decimal.optional(), uom: z.string().optional(),
};
const sensorReport = onlyKeys(z.looseObject(sensorReportFields), Object.keys(sensorReportFields));
const sensorElementList = z.array(onlyKeys(
  z.looseObject({ sensorMetadata: sensorMetadata.optional(), sensorReport: z.array(sensorReport).min(1) }),
  ['sensorMetadata', 'sensorReport'],
));
const errorDeclarationFields = { declarationTime: time, reason: errorReason.optional(), correctiveEventIDs: z.array(uri).optional() };
const errorDeclaration = onlyKeys(z.looseObject(errorDeclarationFields), Object.keys(errorDeclarationFields));
const ilmd = onlyKeys(z.looseObject({}), []);

// ---- events -----------------------------------------------------------------------------------

const action = z.enum(['OBSERVE', 'ADD', 'DELETE']);
const commonFields = {
  '@context': context.optional(), type: z.string(), eventTime: time, recordTime: time.optional(),
  eventTimeZoneOffset: z.string().regex(/^([+]|[-])((0[0-9]|1[0-3]):([0-5][0-9])|14:00)$/, 'must be ±hh:mm between -14:00 and +14:00'),
  eventID: uri.optional(), certificationInfo: z.union([z.array(uri), uri], { error: 'must be a URI or a list of URIs' }).optional(), errorDeclaration: errorDeclaration.optional(),
};
/**
 * Fields every standard event type may carry. persistentDisposition is among them: the XSD allows it on all
 * five event types while the JSON Schema only lists it for ObjectEvent and TransformationEvent; where the
 * standard's own artefacts disagree, the more liberal one is followed, so that what either allows is captured.
 */
const whyWhere = {
  bizStep: bizStep.optional(), disposition: disposition.optional(), readPoint: location.optional(),
  bizLocation: location.optional(), bizTransactionList: bizTransactionList.optional(), sourceList: sourceList.optional(),
  destinationList: destinationList.optional(), sensorElementList: sensorElementList.optional(),
  persistentDisposition: persistentDisposition.optional(),
};
const EVENT_FIELDS = {
  ObjectEvent: { epcList: epcList.optional(), quantityList: quantityList.optional(), action, ...whyWhere, ilmd: ilmd.optional() },
  AggregationEvent: { parentID: uri.optional(), childEPCs: z.array(uri).optional(), childQuantityList: quantityList.optional(), action, ...whyWhere },
  TransactionEvent: { parentID: uri.optional(), epcList: z.array(uri).optional(), quantityList: quantityList.optional(), action, ...whyWhere, bizTransactionList: bizTransactionList.min(1) },
  TransformationEvent: {
    inputEPCList: epcList.optional(), inputQuantityList: quantityList.optional(), outputEPCList: epcList.optional(),
    outputQuantityList: quantityList.optional(), transformationID: uri.optional(), ...whyWhere, ilmd: ilmd.optional(),
  },
  AssociationEvent: { parentID: uri, childEPCs: z.array(uri).optional(), childQuantityList: quantityList.optional(), action, ...whyWhere },
};
type EventType = keyof typeof EVENT_FIELDS;
const EVENT_TYPES = Object.keys(EVENT_FIELDS) as EventType[];
const isEventType = (t: unknown): t is EventType => typeof t === 'string' && t in EVENT_FIELDS;

const eventSchemas = {} as Record<EventType, z.ZodType>;
for (const type of EVENT_TYPES) {
  const fields = { ...commonFields, ...EVENT_FIELDS[type], type: z.literal(type) };
  eventSchemas[type] = onlyKeys(z.looseObject(fields), Object.keys(fields));
}
// A non-standard event type (a URI) only has to carry the common fields.
const extendedEvent = z.looseObject({ ...commonFields, type: uri });

const filled = (v: unknown) => Array.isArray(v) && v.length > 0;

/** The cross-field rules of the schema's `anyOf` clauses, which say what each event type must carry. */
function presenceIssues(type: EventType, e: Json): SchemaIssue[] {
  const deleting = e.action === undefined || e.action === 'DELETE';
  switch (type) {
    case 'ObjectEvent': {
      const out: SchemaIssue[] = [];
      if (!('epcList' in e) && !filled(e.quantityList) && !(filled(e.sensorElementList) && 'readPoint' in e)) {
        out.push({ field: 'epcList', message: 'an ObjectEvent needs epcList, a non-empty quantityList, or sensorElementList with readPoint' });
      }
      if ('ilmd' in e && (e.action === 'OBSERVE' || e.action === 'DELETE')) {
        out.push({ field: 'ilmd', message: 'ilmd may only be given when action is ADD' });
      }
      return out;
    }
    case 'AggregationEvent':
    case 'AssociationEvent':
      return deleting || filled(e.childEPCs) || filled(e.childQuantityList) ? []
        : [{ field: 'childEPCs', message: `unless action is DELETE, a ${type} needs childEPCs or childQuantityList` }];
    case 'TransactionEvent':
      return deleting || 'epcList' in e || filled(e.quantityList) ? []
        : [{ field: 'epcList', message: 'unless action is DELETE, a TransactionEvent needs epcList or quantityList' }];
    case 'TransformationEvent': {
      const hasIn = filled(e.inputEPCList) || filled(e.inputQuantityList);
      const hasOut = filled(e.outputEPCList) || filled(e.outputQuantityList);
      return (hasIn && hasOut) || ((hasIn || hasOut) && 'transformationID' in e) ? []
        : [{ field: hasIn ? 'outputEPCList' : 'inputEPCList', message: 'a TransformationEvent needs inputs and outputs, or one of them with transformationID' }];
    }
  }
}

// ---- documents --------------------------------------------------------------------------------

const DOCUMENT_KEYS = ['@context', 'id', 'type', 'schemaVersion', 'creationDate', 'instanceIdentifier', 'sender', 'receiver', 'epcisHeader', 'epcisBody'];
const version = z.string().regex(/^\d+(\.\d+)*$/, 'must be a version number such as 2.0');
const vocabulary = z.looseObject({
  type: uri,
  vocabularyElementList: z.array(z.looseObject({
    id: uri,
    attributes: z.array(z.looseObject({ id: uri, attribute: z.union([z.number(), z.string(), z.looseObject({})], { error: 'must be a number, a string or an object' }).optional() })).optional(),
    children: z.array(uri).optional(),
  })).optional(),
});
const epcisHeader = onlyKeys(z.looseObject({ epcisMasterData: z.looseObject({ vocabularyList: z.array(vocabulary).optional() }).optional() }), ['epcisMasterData']);
// Events are checked one by one (see eventIssues) so that each is held to the rules of its own type.
const eventList = z.array(z.unknown());
const epcisDocument = onlyKeys(z.looseObject({
  '@context': context, id: uri.optional(), type: z.literal('EPCISDocument'), schemaVersion: version, creationDate: time,
  instanceIdentifier: z.string().optional(), sender: z.string().optional(), receiver: z.string().optional(),
  epcisHeader: epcisHeader.optional(), epcisBody: z.looseObject({ eventList }),
}), DOCUMENT_KEYS);
const resultsBody = onlyKeys(z.looseObject({ eventList, vocabularyList: z.array(vocabulary).optional() }), ['eventList', 'vocabularyList']);
const queryResults = onlyKeys(z.looseObject({ queryName: z.string(), subscriptionID: z.string().optional(), resultsBody }), ['queryName', 'subscriptionID', 'resultsBody']);
const epcisQueryDocument = onlyKeys(z.looseObject({
  '@context': context, id: uri.optional(), type: z.literal('EPCISQueryDocument'), schemaVersion: version.optional(),
  creationDate: time.optional(), epcisBody: onlyKeys(z.looseObject({ queryResults }), ['queryResults']),
}), ['@context', 'id', 'type', 'schemaVersion', 'creationDate', 'epcisBody']);

const dotted = (path: Path) => path.join('.');
const kindOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : `a ${typeof v}`);
const valueAt = (root: unknown, path: PropertyKey[]) =>
  path.reduce<unknown>((v, k) => (isObject(v) || Array.isArray(v) ? (v as Record<PropertyKey, unknown>)[k] : undefined), root);

/** zod's issues in the words of this domain, each naming the offending field. */
function zodIssues(schema: z.ZodType, value: unknown, at: Path): SchemaIssue[] {
  const result = schema.safeParse(value);
  if (result.success) return [];
  return result.error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      // Name the unexpected key itself rather than the object that holds it.
      return { field: dotted([...at, ...issue.path, issue.keys[0]] as Path), message: `"${issue.keys[0]}" is not allowed here` };
    }
    const found = valueAt(value, issue.path);
    let message = issue.message;
    if (found === undefined && ['invalid_type', 'invalid_union', 'invalid_value'].includes(issue.code)) message = 'is required';
    else if (issue.code === 'invalid_type') message = `must be ${issue.expected === 'object' ? 'an object' : `a ${issue.expected}`}, not ${kindOf(found)}`;
    else if (issue.code === 'invalid_value') message = `must be one of ${issue.values.join(', ')}`;
    return { field: dotted([...at, ...issue.path] as Path), message };
  });
}

function eventIssues(event: unknown, at: Path): SchemaIssue[] {
  if (!isObject(event)) return [{ field: dotted(at), message: 'an event must be a JSON object' }];
  if (!isEventType(event.type)) return zodIssues(extendedEvent, event, at);
  return [
    ...zodIssues(eventSchemas[event.type], event, at),
    ...presenceIssues(event.type, event).map((i) => ({ field: dotted([...at, i.field]), message: i.message })),
  ];
}

function eventListIssues(list: unknown, at: Path): SchemaIssue[] {
  return Array.isArray(list) ? list.flatMap((e, i) => eventIssues(e, [...at, i])) : [];
}

/** Every way a parsed JSON capture body breaks the EPCIS 2.0 JSON Schema; empty when it is valid. */
export function epcisSchemaIssues(body: unknown): SchemaIssue[] {
  if (!isObject(body)) return [{ field: '', message: 'the body must be a JSON object' }];
  if (typeof body.type !== 'string') return [{ field: 'type', message: 'must name the document or event type' }];
  if (body.type === 'EPCISDocument') {
    const bodyPart = isObject(body.epcisBody) ? body.epcisBody : {};
    return [...zodIssues(epcisDocument, body, []), ...eventListIssues(bodyPart.eventList, ['epcisBody', 'eventList'])];
  }
  if (body.type === 'EPCISQueryDocument') {
    const results = isObject(body.epcisBody) && isObject(body.epcisBody.queryResults) ? body.epcisBody.queryResults : {};
    const list = isObject(results.resultsBody) ? results.resultsBody.eventList : undefined;
    return [...zodIssues(epcisQueryDocument, body, []), ...eventListIssues(list, ['epcisBody', 'queryResults', 'resultsBody', 'eventList'])];
  }
  // A bare event, as posted to /events, must carry its own @context.
  const contextIssue = '@context' in body ? [] : [{ field: '@context', message: 'a single event must carry @context' }];
  return [...contextIssue, ...eventIssues(body, [])];
}
