import { CLONE_DISTANCE_KM, CLONE_MAX_DEVICES, CLONE_MAX_SCANS, CLONE_WINDOW_MS, localDate, suspectClone } from '../scan/scan-fns.ts';
import type { ScanFact } from '../scan/scan-types.ts';
import { isCodeKey, type EpcisEvent } from '../events/events-fns.ts';
import { type Finding, type RiskEvent, type RuleSettings, type Severity, SEVERITIES } from './risk-types.ts';

/**
 * The domain core of risk warnings: each rule as a pure function over the facts it needs, returning findings
 * (warnings before they are merged with the open ones). Nothing here touches SQL or HTTP.
 */

const DAY_MS = 86_400_000;
const APPLYING_INPUTS = 'urn:suyuan:bizstep:applying_inputs';
const SELLING = 'urn:suyuan:bizstep:selling';
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const list = (v: unknown): any[] => (Array.isArray(v) ? v : []);
const isDay = (v: unknown): v is string => typeof v === 'string' && DAY.test(v);
const uniq = <T>(xs: readonly T[]): T[] => [...new Set(xs)];
const round = (x: number) => Number(x.toFixed(3));

/** Whole days from one calendar day (YYYY-MM-DD) to another; negative when `to` comes first. */
export function dayDiff(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/** The calendar day an event happened, where it happened. */
export function eventDay(e: Pick<RiskEvent, 'eventTime' | 'body'>): string {
  return localDate(e.eventTime, e.body.eventTimeZoneOffset);
}

/**
 * Events the rules read: an event declared erroneous (an errorDeclaration in its body, as captured or recorded
 * later: the store gives the body as it stands) is withdrawn and counts for nothing.
 */
export function liveEvents(events: readonly RiskEvent[]): RiskEvent[] {
  return events.filter((e) => !e.body.errorDeclaration);
}

/** The keys an event names in the given roles (event_ids role characters). */
export function keysOf(e: Pick<RiskEvent, 'ids'>, roles: string): string[] {
  return uniq(e.ids.filter((i) => roles.includes(i.role)).map((i) => i.key));
}

/** The higher of two severities. */
export function maxSeverity(a: Severity, b: Severity): Severity {
  return SEVERITIES.indexOf(a) >= SEVERITIES.indexOf(b) ? a : b;
}

/** The later of two evidence times (null when neither is known). */
const laterOf = (a: Date | null | undefined, b: Date | null | undefined): Date | null =>
  (!a ? b ?? null : !b ? a : a.getTime() >= b.getTime() ? a : b);

/**
 * Merges findings of the same rule and subject (one capture may show the same thing twice): the highest severity,
 * codes and events united, the latest explanation and facts, the newest evidence.
 */
export function mergeFindings(findings: readonly Finding[]): Finding[] {
  const merged = new Map<string, Finding>();
  for (const f of findings) {
    const key = `${f.rule}\u0000${f.subject}`;
    const prev = merged.get(key);
    merged.set(key, prev
      ? {
        ...f, severity: maxSeverity(prev.severity, f.severity), codes: uniq([...prev.codes, ...f.codes]), eventSeqs: uniq([...prev.eventSeqs, ...f.eventSeqs]),
        evidenceAt: laterOf(prev.evidenceAt, f.evidenceAt),
      }
      : { ...f, codes: uniq(f.codes), eventSeqs: uniq(f.eventSeqs), evidenceAt: f.evidenceAt ?? null });
  }
  return [...merged.values()];
}

// ---- 1. Inspection failed ------------------------------------------------------------------------

const FAIL = /^(fail(ed)?|unqualified|non_?conformant|不合格|阳性|positive)$/i;
const INSPECTION_KIND: Record<string, [zh: string, en: string]> = { official_sampling: ['监督抽检', 'Official sampling'], rapid_test: ['快检', 'Rapid test'] };

/** Rule 1: an inspection that failed (result fail or disposition non_conformant): one finding per code inspected. */
export function inspectionFindings(events: readonly RiskEvent[], s: RuleSettings<'inspection_failed'>): Finding[] {
  const out: Finding[] = [];
  for (const e of events) {
    if (e.bizStep !== 'inspecting') continue;
    const ins = e.body['sy:inspection'] && typeof e.body['sy:inspection'] === 'object' ? e.body['sy:inspection'] : {};
    if (e.disposition !== 'non_conformant' && !(typeof ins.result === 'string' && FAIL.test(ins.result))) continue;
    const [kindZh, kindEn] = INSPECTION_KIND[ins.kind] ?? ['检验', 'Inspection'];
    const items = list(ins.items).filter((i) => i && typeof i === 'object' && FAIL.test(String(i.result ?? '')))
      .map((i) => ({ name: String(i.name ?? ''), value: i.value ?? null, limit: i.limit ?? null, unit: i.unit ?? null }));
    const value = (i: (typeof items)[number]) => `${i.name}${i.value !== null ? ` ${i.value}${i.unit ? ` ${i.unit}` : ''}` : ''}`;
    const itemsZh = items.map((i) => `${value(i)}${i.limit !== null ? `（限量 ${i.limit}）` : ''}`).join('、') || '未列明';
    const itemsEn = items.map((i) => `${value(i)}${i.limit !== null ? ` (limit ${i.limit})` : ''}`).join(', ') || 'not itemised';
    const lab = typeof ins.lab === 'string' ? ins.lab : null;
    const reportNo = typeof ins.reportNo === 'string' ? ins.reportNo : null;
    for (const code of keysOf(e, 'eq')) {
      out.push({
        rule: 'inspection_failed', subject: `code:${code}`, severity: ins.kind === 'official_sampling' ? s.officialSamplingSeverity : s.severity,
        operatorId: e.operatorId, divisionCode: e.divisionCode, codes: [code], eventSeqs: [e.seq],
        facts: { kind: ins.kind ?? null, lab, reportNo, failedItems: items, day: eventDay(e) },
        explanation: {
          zh: `${kindZh}不合格：${code}，不合格项目 ${itemsZh}${lab ? `，检测机构 ${lab}` : ''}${reportNo ? `，报告编号 ${reportNo}` : ''}。`,
          en: `${kindEn} failed for ${code}: ${itemsEn}${lab ? `; lab ${lab}` : ''}${reportNo ? `; report ${reportNo}` : ''}.`,
        },
      });
    }
  }
  return out;
}

// ---- 2. Harvest or slaughter inside the pre-harvest interval / withdrawal period ----------------

/** A batch brought into being at a site: a harvest or production (commissioning) or a transformation (slaughter, processing). */
export interface Production {
  seq: string; kind: 'harvest' | 'transformation'; site: string | null; day: string;
  outputs: string[]; inputs: string[]; operatorId: string | null; divisionCode: string | null;
}
/** An input applied at a site, on a batch when the record names one. */
export interface Application {
  seq: string; site: string | null; codes: string[]; appliedOn: string; intervalDays: number | null;
  category: string; product: string; operatorId: string | null; divisionCode: string | null;
}

/** The production an event records, if it records one. */
export function productionOf(e: RiskEvent): Production | null {
  const common = { seq: e.seq, site: e.bizLocation, operatorId: e.operatorId, divisionCode: e.divisionCode };
  if (e.eventType === 'TransformationEvent') {
    const produced = list(e.body['sy:outputs'])[0]?.producedOn;
    return { ...common, kind: 'transformation', day: isDay(produced) ? produced : eventDay(e), outputs: keysOf(e, 'ok'), inputs: keysOf(e, 'ij') };
  }
  if (e.eventType === 'ObjectEvent' && e.action === 'ADD' && e.bizStep === 'commissioning') {
    const produced = e.body.ilmd?.['sy:producedOn'];
    return { ...common, kind: 'harvest', day: isDay(produced) ? produced : eventDay(e), outputs: keysOf(e, 'eq'), inputs: [] };
  }
  return null;
}

/** The input application an event records (`sy:input`), if it records one. */
export function applicationOf(e: RiskEvent): Application | null {
  const input = e.body['sy:input'];
  if (e.bizStep !== APPLYING_INPUTS || !input || typeof input !== 'object') return null;
  return {
    seq: e.seq, site: e.bizLocation, codes: keysOf(e, 'eq'), appliedOn: isDay(input.appliedOn) ? input.appliedOn : eventDay(e),
    intervalDays: Number.isInteger(input.intervalDays) ? input.intervalDays : null, category: String(input.category ?? ''),
    product: String(input.product ?? ''), operatorId: e.operatorId, divisionCode: e.divisionCode,
  };
}

// An application on a named batch concerns that batch and what is made of it; one without a batch concerns its site.
const concerns = (a: Application, p: Production) =>
  a.codes.length ? a.codes.some((c) => p.inputs.includes(c) || p.outputs.includes(c)) : a.site !== null && a.site === p.site;

/**
 * Rule 2: a harvest or production at a site, or a transformation (slaughter, processing) of a batch, fewer days after
 * an input was applied there or on that batch than the input's stated interval (安全间隔期 / 休药期).
 */
export function preHarvestFindings(productions: readonly Production[], applications: readonly Application[], s: RuleSettings<'pre_harvest_interval'>): Finding[] {
  const out: Finding[] = [];
  for (const p of productions) {
    if (p.outputs.length === 0) continue;
    const hits = applications
      .filter((a) => a.intervalDays && concerns(a, p))
      .map((a) => ({ a, days: dayDiff(a.appliedOn, p.day) }))
      .filter(({ a, days }) => days >= 0 && days < a.intervalDays!);
    if (hits.length === 0) continue;
    const code = p.outputs[0];
    const [verbZh, verbEn] = p.kind === 'harvest' ? ['采收（生产）', 'harvested'] : ['屠宰（加工）', 'slaughtered or processed'];
    const period = (a: Application) => (a.category === 'vet_drug' ? ['休药期', 'withdrawal period'] : ['安全间隔期', 'pre-harvest interval']);
    out.push({
      rule: 'pre_harvest_interval', subject: `code:${code}`, severity: s.severity, operatorId: p.operatorId, divisionCode: p.divisionCode,
      codes: p.outputs, eventSeqs: [p.seq, ...hits.map((h) => h.a.seq)],
      facts: { day: p.day, inputs: hits.map(({ a, days }) => ({ product: a.product, category: a.category, appliedOn: a.appliedOn, intervalDays: a.intervalDays, daysBefore: days })) },
      explanation: {
        zh: `批次 ${code} 于 ${p.day} ${verbZh}，${hits.map(({ a, days }) => `距 ${a.appliedOn} 使用“${a.product}”仅 ${days} 天，未过${period(a)[0]} ${a.intervalDays} 天`).join('；')}。`,
        en: `Batch ${code} was ${verbEn} on ${p.day}, ${hits.map(({ a, days }) => `${days} days after ${a.product} was applied on ${a.appliedOn}, inside its ${a.intervalDays}-day ${period(a)[1]}`).join('; ')}.`,
      },
    });
  }
  return out;
}

// ---- 3. Banned or restricted inputs; restricted pesticides sold by a non-designated dealer ------

/** The listed names found in a text; a name found only inside a longer listed name does not count (乙酰甲胺磷 is not 甲胺磷). */
export function matchSubstances(text: string, names: readonly string[]): string[] {
  const t = text.toLowerCase();
  const hits: Array<{ name: string; start: number; end: number }> = [];
  for (const name of names) {
    const n = name.toLowerCase();
    for (let i = t.indexOf(n); n && i >= 0; i = t.indexOf(n, i + 1)) hits.push({ name, start: i, end: i + n.length });
  }
  const inside = (h: (typeof hits)[number]) => hits.some((o) => o.start <= h.start && o.end >= h.end && o.end - o.start > h.end - h.start);
  return uniq(hits.filter((h) => !inside(h)).map((h) => h.name));
}

/** Rule 3: an input applied whose name contains a banned substance, or a restricted high-toxicity pesticide. */
export function bannedInputFindings(applications: readonly Application[], s: RuleSettings<'banned_input'>): Finding[] {
  const out: Finding[] = [];
  for (const a of applications) {
    const found = matchSubstances(a.product, [...s.banned, ...s.restricted]);
    for (const substance of found) {
      const banned = s.banned.includes(substance);
      out.push({
        rule: 'banned_input', subject: `operator:${a.operatorId ?? '-'}:${substance}`, severity: banned ? s.severity : s.restrictedSeverity,
        operatorId: a.operatorId, divisionCode: a.divisionCode, codes: a.codes, eventSeqs: [a.seq],
        facts: { substance, banned, product: a.product, category: a.category, appliedOn: a.appliedOn, site: a.site },
        explanation: banned ? {
          zh: `${a.appliedOn} 使用了国家禁用的“${substance}”（投入品：${a.product}）。`,
          en: `Banned substance ${substance} was applied on ${a.appliedOn} (input: ${a.product}).`,
        } : {
          zh: `${a.appliedOn} 使用了限制使用的高毒农药“${substance}”（投入品：${a.product}），须核实未用于蔬菜、瓜果、茶叶和中草药。`,
          en: `Restricted high-toxicity pesticide ${substance} was applied on ${a.appliedOn} (input: ${a.product}); check that it was not used on vegetables, fruit, tea or herbs.`,
        },
      });
    }
  }
  return out;
}

/** An operator passing goods on (shipping, selling to an operator, selling to consumers). */
export interface Sale { seq: string; operatorId: string; divisionCode: string | null; day: string; codes: string[] }
/** What a code is: its owner (the maker of the batch) and its product. */
export interface GoodsFacts { code: string; ownerOperatorId: string; productName: string; categoryCode: string }
export interface LicenceFact { type: string; number: string; validUntil: string | null }

const OUTBOUND = new Set(['shipping', SELLING, 'retail_selling']);

/** The sale an event records, if it passes goods on. */
export function saleOf(e: RiskEvent): Sale | null {
  if (!OUTBOUND.has(e.bizStep ?? '') || !e.operatorId) return null;
  return { seq: e.seq, operatorId: e.operatorId, divisionCode: e.divisionCode, day: eventDay(e), codes: keysOf(e, 'eq') };
}

const inCategory = (code: string, prefixes: readonly string[]) => prefixes.some((p) => code === p || code.startsWith(`${p}.`));

/** The goods of a sale that are restricted pesticides (by category or name) passed on by someone other than their maker. */
export function restrictedGoodsOf(sale: Sale, goods: ReadonlyMap<string, GoodsFacts>, s: RuleSettings<'undesignated_dealer'>): GoodsFacts[] {
  return sale.codes.map((c) => goods.get(c)).filter((g): g is GoodsFacts => !!g && g.ownerOperatorId !== sale.operatorId
    && (inCategory(g.categoryCode, s.categories) || matchSubstances(g.productName, s.substances).length > 0));
}

/**
 * Rule 3: goods whose product name contains a banned substance passed on (shipped, sold, retailed) by anyone, their
 * maker or a dealer, designated or not: selling a banned input is an offence whoever sells it. One finding per seller
 * and substance, at the banned severity.
 */
export function bannedSaleFindings(sales: readonly Sale[], goods: ReadonlyMap<string, GoodsFacts>, s: RuleSettings<'banned_input'>): Finding[] {
  const out: Finding[] = [];
  for (const sale of sales) {
    const sold = sale.codes.map((c) => goods.get(c)).filter((g): g is GoodsFacts => !!g)
      .flatMap((g) => matchSubstances(g.productName, [...s.banned, ...s.restricted]).filter((x) => s.banned.includes(x)).map((substance) => ({ g, substance })));
    for (const substance of uniq(sold.map((x) => x.substance))) {
      const hits = sold.filter((x) => x.substance === substance);
      const products = uniq(hits.map((x) => x.g.productName));
      out.push({
        rule: 'banned_input', subject: `operator:${sale.operatorId}:sold:${substance}`, severity: s.severity, operatorId: sale.operatorId, divisionCode: sale.divisionCode,
        codes: uniq(hits.map((x) => x.g.code)), eventSeqs: [sale.seq], facts: { substance, banned: true, sold: true, products, day: sale.day },
        explanation: {
          zh: `${sale.day} 销售了国家禁用的“${substance}”（产品：${products.join('、')}）。`,
          en: `Banned substance ${substance} was sold on ${sale.day} (products: ${products.join(', ')}).`,
        },
      });
    }
  }
  return out;
}

/** Rule 3: restricted pesticides passed on by an operator without a designated-dealer licence valid that day. */
export function dealerFindings(sales: readonly Sale[], goods: ReadonlyMap<string, GoodsFacts>, licences: ReadonlyMap<string, readonly LicenceFact[]>, s: RuleSettings<'undesignated_dealer'>): Finding[] {
  const out: Finding[] = [];
  for (const sale of sales) {
    const restricted = restrictedGoodsOf(sale, goods, s);
    if (restricted.length === 0) continue;
    const designated = (licences.get(sale.operatorId) ?? []).some((l) => s.licenceTypes.includes(l.type) && (l.validUntil === null || l.validUntil >= sale.day));
    if (designated) continue;
    const products = uniq(restricted.map((g) => g.productName));
    out.push({
      rule: 'undesignated_dealer', subject: `operator:${sale.operatorId}`, severity: s.severity, operatorId: sale.operatorId, divisionCode: sale.divisionCode,
      codes: restricted.map((g) => g.code), eventSeqs: [sale.seq], facts: { products, day: sale.day, licenceTypes: s.licenceTypes },
      explanation: {
        zh: `${sale.day} 销售了限制使用农药（${products.join('、')}），但没有有效的定点经营许可（${s.licenceTypes.join('、')}）。`,
        en: `Restricted pesticides (${products.join(', ')}) were sold on ${sale.day} without a valid designated-dealer licence (${s.licenceTypes.join(', ')}).`,
      },
    });
  }
  return out;
}

// ---- 4. Licence expired or operator suspended, still trading -------------------------------------

/** What the registry says about an operator that trades. */
export interface PartyFacts { id: string; status: string; divisionCode: string; suspendedAt: Date | null; licences: LicenceFact[] }

const STEP_NAMES: Record<string, [zh: string, en: string]> = {
  commissioning: ['生产', 'production'], shipping: ['发货', 'shipping'], receiving: ['收货', 'receiving'], retail_selling: ['零售', 'retail sale'],
  [SELLING]: ['销售', 'sale'], repackaging: ['分装', 'repackaging'], packing: ['装箱', 'packing'],
};

/**
 * Rule 4: a trading event (by the operator or naming it as the other party) that happened after the operator was
 * suspended, or after every licence of one type it holds expired (plus the grace days).
 */
export function barredTradingFindings(events: readonly RiskEvent[], parties: ReadonlyMap<string, PartyFacts>, s: RuleSettings<'trading_while_barred'>): Finding[] {
  const steps = new Set(s.steps);
  const out: Finding[] = [];
  for (const e of events) {
    if (!steps.has(e.bizStep ?? '')) continue;
    const day = eventDay(e);
    const [stepZh, stepEn] = STEP_NAMES[e.bizStep!] ?? [e.bizStep!, e.bizStep!];
    const codes = keysOf(e, 'eqpjk');
    for (const id of uniq([e.operatorId, e.counterpartyId].filter((x): x is string => !!x))) {
      const p = parties.get(id);
      if (!p) continue;
      const base = { rule: 'trading_while_barred' as const, operatorId: id, divisionCode: p.divisionCode, codes, eventSeqs: [e.seq] };
      if (p.status === 'suspended' && p.suspendedAt && p.suspendedAt.getTime() <= e.eventTime.getTime()) {
        const since = localDate(p.suspendedAt, '+08:00');
        out.push({
          ...base, subject: `operator:${id}:suspended`, severity: s.severity, facts: { barred: 'suspended', since, day, step: e.bizStep },
          explanation: { zh: `经营主体已于 ${since} 被暂停，仍于 ${day} 有${stepZh}记录。`, en: `The operator was suspended on ${since} but has a ${stepEn} record on ${day}.` },
        });
      }
      const byType = new Map<string, LicenceFact[]>();
      for (const l of p.licences) byType.set(l.type, [...(byType.get(l.type) ?? []), l]);
      for (const [type, held] of byType) {
        if (held.some((l) => l.validUntil === null)) continue;
        const latest = held.reduce((a, b) => (a.validUntil! >= b.validUntil! ? a : b));
        if (dayDiff(latest.validUntil!, day) <= s.licenceGraceDays) continue;
        out.push({
          ...base, subject: `operator:${id}:licence:${type}`, severity: s.licenceSeverity,
          facts: { barred: 'licence_expired', licenceType: type, licenceNumber: latest.number, validUntil: latest.validUntil, day, step: e.bizStep },
          explanation: {
            zh: `${type}（${latest.number}）已于 ${latest.validUntil} 到期，仍于 ${day} 有${stepZh}记录。`,
            en: `${type} (${latest.number}) expired on ${latest.validUntil}, but there is a ${stepEn} record on ${day}.`,
          },
        });
      }
    }
  }
  return out;
}

// ---- 5. Cold-chain excursion ---------------------------------------------------------------------

/** One temperature reading in °C: a point (low = high) or an interval's extremes; `alarm` when the device raised one. */
export interface Reading { at: number; low: number; high: number; alarm: boolean }

const TEMPERATURE = /(?:^|[:/#-])Temperature$/;
const toCelsius = (v: number, uom: unknown) => (uom === 'FAH' ? ((v - 32) * 5) / 9 : uom === 'KEL' ? v - 273.15 : v);

/** The temperature readings of an event's sensorElementList (EPCIS 2.0 sensorReport of type Temperature, in CEL, FAH or KEL). */
export function temperatureReadings(body: EpcisEvent): Reading[] {
  const out: Reading[] = [];
  for (const el of list(body.sensorElementList)) {
    const meta = el?.sensorMetadata ?? {};
    for (const r of list(el?.sensorReport)) {
      if (typeof r?.type !== 'string' || !TEMPERATURE.test(r.type)) continue;
      const at = Date.parse(r.time ?? meta.time ?? meta.endTime ?? body.eventTime);
      const values = [r.value, r.minValue, r.maxValue].filter((v): v is number => typeof v === 'number' && Number.isFinite(v)).map((v) => toCelsius(v, r.uom));
      const alarm = typeof r.exception === 'string' && r.exception.endsWith('ALARM_CONDITION');
      if (Number.isNaN(at) || (values.length === 0 && !alarm)) continue;
      out.push({ at, low: values.length ? Math.min(...values) : NaN, high: values.length ? Math.max(...values) : NaN, alarm });
    }
  }
  return out;
}

export interface TemperatureRange { minCelsius: number | null; maxCelsius: number }
export interface Excursion { from: number; to: number; minutes: number; highest: number | null; lowest: number | null }

/**
 * The longest run of readings outside the range (or alarmed). A run lasts from its first reading until the goods were
 * seen back in range (the next reading inside it), or until the last reading when they never were.
 */
export function longestExcursion(readings: readonly Reading[], range: TemperatureRange): Excursion | null {
  const r = [...readings].sort((a, b) => a.at - b.at);
  const outside = (x: Reading) => x.alarm || x.high > range.maxCelsius || (range.minCelsius !== null && x.low < range.minCelsius);
  let best: Excursion | null = null;
  const consider = (first: number, last: number, end: number) => {
    const run = r.slice(first, last + 1);
    const highs = run.map((x) => x.high).filter(Number.isFinite);
    const lows = run.map((x) => x.low).filter(Number.isFinite);
    const x = { from: r[first].at, to: end, minutes: (end - r[first].at) / 60_000, highest: highs.length ? Math.max(...highs) : null, lowest: lows.length ? Math.min(...lows) : null };
    if (!best || x.minutes > best.minutes) best = x;
  };
  let start = -1;
  r.forEach((x, i) => {
    if (outside(x)) { if (start < 0) start = i; return; }
    if (start >= 0) consider(start, i - 1, x.at);
    start = -1;
  });
  if (start >= 0) consider(start, r.length - 1, r[r.length - 1].at);
  return best;
}

/** The readings of one code across its events, with what the rule needs to pick the range and report. */
export interface SensorSubject {
  key: string; categoryCode: string | null; readings: Reading[]; seqs: string[]; operatorId: string | null; divisionCode: string | null;
}

/** Groups the temperature readings of events by the goods they name (epcList, quantityList, parentID). */
export function sensorSubjects(events: readonly RiskEvent[], categories: ReadonlyMap<string, string>): SensorSubject[] {
  const by = new Map<string, SensorSubject>();
  for (const e of [...events].sort((a, b) => a.eventTime.getTime() - b.eventTime.getTime())) {
    const readings = temperatureReadings(e.body);
    if (readings.length === 0) continue;
    for (const key of keysOf(e, 'eqp')) {
      const s = by.get(key) ?? { key, categoryCode: categories.get(key) ?? null, readings: [], seqs: [], operatorId: null, divisionCode: null };
      s.readings.push(...readings);
      s.seqs.push(e.seq);
      // The latest event's recorder holds the goods now.
      s.operatorId = e.operatorId;
      s.divisionCode = e.divisionCode;
      by.set(key, s);
    }
  }
  return [...by.values()];
}

/** Rule 5: goods whose temperature stayed outside their category's range for longer than allowed. */
export function coldChainFindings(subjects: readonly SensorSubject[], s: RuleSettings<'cold_chain_excursion'>): Finding[] {
  const out: Finding[] = [];
  for (const sub of subjects) {
    const range = s.ranges.find((r) => r.categoryPrefix === '' || (sub.categoryCode !== null && inCategory(sub.categoryCode, [r.categoryPrefix])));
    if (!range) continue;
    const x = longestExcursion(sub.readings, range);
    if (!x || x.minutes <= s.maxMinutesOutside) continue;
    const bounds = range.minCelsius === null ? `≤ ${range.maxCelsius} °C` : `${range.minCelsius}–${range.maxCelsius} °C`;
    const minutes = Math.round(x.minutes);
    const extreme = x.highest !== null && x.highest > range.maxCelsius ? x.highest : x.lowest;
    out.push({
      rule: 'cold_chain_excursion', subject: `code:${sub.key}`, severity: s.severity, operatorId: sub.operatorId, divisionCode: sub.divisionCode,
      codes: [sub.key], eventSeqs: sub.seqs,
      facts: { range, from: new Date(x.from).toISOString(), to: new Date(x.to).toISOString(), minutes, extremeCelsius: extreme === null ? null : round(extreme), allowedMinutes: s.maxMinutesOutside },
      explanation: {
        zh: `${sub.key} 自 ${new Date(x.from).toISOString()} 起温度超出 ${bounds} 达 ${minutes} 分钟${extreme !== null ? `（极值 ${round(extreme)} °C）` : ''}，超过允许的 ${s.maxMinutesOutside} 分钟。`,
        en: `${sub.key} was outside ${bounds} for ${minutes} minutes from ${new Date(x.from).toISOString()}${extreme !== null ? ` (extreme ${round(extreme)} °C)` : ''}, longer than the ${s.maxMinutesOutside} minutes allowed.`,
      },
    });
  }
  return out;
}

// ---- 6. Mass balance -----------------------------------------------------------------------------

/** Quantities of a batch code moved by one kind of event, summed (the store aggregates them). */
export interface Movement {
  code: string; operatorId: string | null; counterpartyId: string | null; eventType: string; action: string | null; bizStep: string | null;
  role: string; uom: string | null; unit: string | null; quantity: number;
}

const UOM_MEASURES: Record<string, [dimension: string, factor: number]> = {
  KGM: ['kg', 1], GRM: ['kg', 0.001], TNE: ['kg', 1000], LTR: ['L', 1], MLT: ['L', 0.001], H87: ['pcs', 1],
};
// Units written without a Rec 20 code (docs/events.md): 斤 and 两 are market weights.
const UNIT_MEASURES: Record<string, [dimension: string, factor: number]> = {
  kg: ['kg', 1], 千克: ['kg', 1], 公斤: ['kg', 1], g: ['kg', 0.001], 克: ['kg', 0.001], t: ['kg', 1000], 吨: ['kg', 1000], 斤: ['kg', 0.5], 两: ['kg', 0.05],
  l: ['L', 1], 升: ['L', 1], ml: ['L', 0.001], 毫升: ['L', 0.001],
};

/** A quantity in its dimension's base unit (kg, L, pcs), else in the unit as written. */
export function measure(quantity: number, uom: string | null, unit: string | null): { dimension: string; amount: number } {
  const [dimension, factor] = (uom && UOM_MEASURES[uom]) || (unit && UNIT_MEASURES[unit.trim().toLowerCase()]) || [uom ?? unit?.trim() ?? '', 1];
  return { dimension, amount: quantity * factor };
}

const INBOUND = new Set(['receiving', 'arriving', 'accepting', 'unloading']);

/**
 * What an operator took in and sent out of a batch code, by dimension. In: produced (commissioned, made by
 * transformation) plus received — its own receipts or what others shipped or sold to it, whichever is more, as both
 * record the same goods. Out: shipped or sold to operators (the larger, for the same reason), sold retail, used in
 * transformations and destroyed.
 */
export function balanceOf(movements: readonly Movement[], operatorId: string): Map<string, { in: number; out: number }> {
  const parts = new Map<string, Record<BalancePart, number>>();
  for (const m of movements) {
    const part = partOf(m, operatorId);
    if (!part) continue;
    const { dimension, amount } = measure(m.quantity, m.uom, m.unit);
    const p = parts.get(dimension) ?? { produced: 0, received: 0, handed: 0, shipped: 0, sold: 0, retail: 0, consumed: 0, destroyed: 0 };
    p[part] += amount;
    parts.set(dimension, p);
  }
  return new Map([...parts].map(([d, p]) => [d, {
    in: p.produced + Math.max(p.received, p.handed),
    out: Math.max(p.shipped, p.sold) + p.retail + p.consumed + p.destroyed,
  }]));
}

type BalancePart = 'produced' | 'received' | 'handed' | 'shipped' | 'sold' | 'retail' | 'consumed' | 'destroyed';

/** Which part of an operator's balance a movement is, if any. */
function partOf(m: Movement, operatorId: string): BalancePart | null {
  if (m.operatorId !== operatorId) {
    return m.role === 'q' && m.counterpartyId === operatorId && (m.bizStep === 'shipping' || m.bizStep === SELLING) ? 'handed' : null;
  }
  if (m.role === 'k') return 'produced';
  if (m.role === 'j') return 'consumed';
  if (m.role !== 'q') return null;
  if (m.bizStep === 'commissioning' && m.action === 'ADD') return 'produced';
  if (INBOUND.has(m.bizStep ?? '')) return 'received';
  if (m.bizStep === 'shipping') return 'shipped';
  if (m.bizStep === SELLING) return 'sold';
  if (m.bizStep === 'retail_selling') return 'retail';
  if (m.bizStep === 'destroying') return 'destroyed';
  return null;
}

/** An operator that sent out a batch code; from a sweep, with when it last did. */
export interface OutboundPair { operatorId: string; code: string; divisionCode: string | null; latestAt?: Date | null }

/**
 * Rule 6: an operator sent out more of a batch than it produced or received, beyond the tolerance. Only like is
 * compared with like: goods sent out in a dimension (weight, volume, pieces, a unit without conversion) in which the
 * operator produced or received none of the batch, while it did in another, cannot be judged (20 pieces retailed from
 * 100 kg received) and raise nothing; goods sent out of a batch of which nothing came in at all still do. What sent it
 * out last is the finding's newest evidence.
 */
export function massBalanceFindings(pairs: readonly OutboundPair[], movements: readonly Movement[], s: RuleSettings<'mass_balance'>): Finding[] {
  const out: Finding[] = [];
  for (const { operatorId, code, divisionCode, latestAt } of pairs) {
    const balance = balanceOf(movements.filter((m) => m.code === code), operatorId);
    // Something came in, but in another dimension: the two cannot be compared. Nothing came in at all: all of it is too much.
    const cameIn = [...balance.values()].some((b) => b.in > 0);
    for (const [dimension, b] of balance) {
      if ((b.in <= 0 && cameIn) || b.out <= b.in * (1 + s.tolerancePercent / 100) + 1e-9) continue;
      const [i, o] = [round(b.in), round(b.out)];
      out.push({
        rule: 'mass_balance', subject: `operator:${operatorId}:code:${code}`, severity: s.severity, operatorId, divisionCode,
        codes: [code], eventSeqs: [], evidenceAt: latestAt ?? null, facts: { dimension, in: i, out: o, tolerancePercent: s.tolerancePercent },
        explanation: {
          zh: `${code}：发出 ${o} ${dimension}，超过生产和收货合计 ${i} ${dimension}（容差 ${s.tolerancePercent}%）。`,
          en: `${code}: ${o} ${dimension} went out, more than the ${i} ${dimension} produced and received (tolerance ${s.tolerancePercent}%).`,
        },
      });
      break;
    }
  }
  return out;
}

// ---- 7. Suspected clone codes; complaint clusters ------------------------------------------------

/** An item code with its recent scans and whom it belongs to; `latestAt`: its newest scan, or location of one, if later. */
export interface ScannedItem { code: string; ownerOperatorId: string; divisionCode: string | null; scans: ScanFact[]; latestAt: Date }

const CLONE_REASONS: Record<string, [zh: string, en: string]> = {
  far_apart: [`${CLONE_WINDOW_MS / 3_600_000} 小时内在相距 ${CLONE_DISTANCE_KM} 公里以上的两地被扫描`, `was scanned more than ${CLONE_DISTANCE_KM} km apart within ${CLONE_WINDOW_MS / 3_600_000} hours`],
  many_devices: [`24 小时内被超过 ${CLONE_MAX_DEVICES} 台设备扫描`, `was scanned by more than ${CLONE_MAX_DEVICES} devices within 24 hours`],
  many_scans: [`24 小时内被扫描超过 ${CLONE_MAX_SCANS} 次`, `was scanned more than ${CLONE_MAX_SCANS} times within 24 hours`],
};

/** Rule 7: item codes the scan log's clone rule (src/scan) flags; the newest scan is the newest evidence. */
export function cloneFindings(items: readonly ScannedItem[], s: RuleSettings<'suspected_clone'>): Finding[] {
  return items.flatMap((it) => {
    const c = suspectClone(it.scans);
    if (!c) return [];
    const [zh, en] = CLONE_REASONS[c.reason];
    return [{
      rule: 'suspected_clone' as const, subject: `code:${it.code}`, severity: s.severity, operatorId: it.ownerOperatorId, divisionCode: it.divisionCode,
      codes: [it.code], eventSeqs: [], facts: { reason: c.reason, since: c.since },
      evidenceAt: it.latestAt,
      explanation: { zh: `单品码 ${it.code} ${zh}，疑似被复制（自 ${c.since}）。`, en: `Item code ${it.code} ${en}: it may have been copied (since ${c.since}).` },
    }];
  });
}

/** A complaint, about a product (and so its operator) or about an operator. */
export interface ComplaintFact {
  id: string; receivedAt: Date; productId: string | null; productName: string | null; operatorId: string; operatorName: string; divisionCode: string; code: string | null;
}

/**
 * Rule 7: at least `minComplaints` complaints within the window about one product, or about one operator: every
 * complaint against it, those naming one of its products included. An operator's cluster whose complaints all lie in
 * its products' clusters says nothing those do not (three complaints about one product are one warning, not two), so
 * it is raised only when at least one of its complaints is in no product's cluster. Each complaint counts once per
 * subject, and the latest received is the newest evidence.
 */
export function complaintClusterFindings(complaints: readonly ComplaintFact[], now: Date, s: RuleSettings<'complaint_cluster'>): Finding[] {
  const since = now.getTime() - s.windowDays * DAY_MS;
  const products = new Map<string, ComplaintFact[]>();
  const operators = new Map<string, ComplaintFact[]>();
  const add = (m: Map<string, ComplaintFact[]>, key: string, c: ComplaintFact) => m.set(key, [...(m.get(key) ?? []), c]);
  for (const c of complaints) {
    if (c.receivedAt.getTime() < since || c.receivedAt.getTime() > now.getTime()) continue;
    if (c.productId) add(products, `product:${c.productId}`, c);
    add(operators, `operator:${c.operatorId}`, c);
  }
  const productClusters = [...products].filter(([, cs]) => cs.length >= s.minComplaints);
  const clustered = new Set(productClusters.flatMap(([, cs]) => cs.map((c) => c.id)));
  const operatorClusters = [...operators].filter(([, cs]) => cs.length >= s.minComplaints && cs.some((c) => !clustered.has(c.id)));
  const out: Finding[] = [];
  for (const [subject, cs] of [...productClusters, ...operatorClusters]) {
    const first = cs[0];
    const named = cs.filter((c) => c.productId).length;
    const [whatZh, whatEn] = subject.startsWith('product:')
      ? [`产品“${first.productName}”（${first.operatorName}）`, `product ${first.productName} (${first.operatorName})`]
      : [`经营主体“${first.operatorName}”`, `operator ${first.operatorName}`];
    const [ofZh, ofEn] = subject.startsWith('operator:') && named > 0 ? [`（其中 ${named} 件指明其产品）`, ` (${named} of them naming its products)`] : ['', ''];
    out.push({
      rule: 'complaint_cluster', subject, severity: s.severity, operatorId: first.operatorId, divisionCode: first.divisionCode,
      codes: uniq(cs.map((c) => c.code).filter((c): c is string => !!c)), eventSeqs: [],
      evidenceAt: new Date(Math.max(...cs.map((c) => c.receivedAt.getTime()))),
      facts: { complaints: cs.length, complaintIds: cs.map((c) => c.id), windowDays: s.windowDays, ...(subject.startsWith('operator:') ? { namingProduct: named } : {}) },
      explanation: {
        zh: `近 ${s.windowDays} 天收到关于${whatZh}的投诉 ${cs.length} 件${ofZh}，达到 ${s.minComplaints} 件的预警线。`,
        en: `${cs.length} complaints about ${whatEn} in the last ${s.windowDays} days${ofEn}, at or above the threshold of ${s.minComplaints}.`,
      },
    });
  }
  return out;
}

// ---- 8. Goods received with no upstream record ---------------------------------------------------

/** An operator's receipts in the window, how many came with no upstream record, and when the latest of those was recorded. */
export interface ReceiptStats { operatorId: string; divisionCode: string; total: number; missing: number; latestMissingAt?: Date | null }

/**
 * Rule 8: an operator whose share of receipts with no upstream record exceeds the rate, given enough receipts; the
 * latest receipt without upstream record is the newest evidence.
 */
export function entryAdmissionFindings(stats: readonly ReceiptStats[], s: RuleSettings<'entry_admission_missing'>): Finding[] {
  return stats.filter((x) => x.total >= s.minReceipts && (x.missing / x.total) * 100 > s.maxRatePercent).map((x) => {
    const rate = round((x.missing / x.total) * 100);
    return {
      rule: 'entry_admission_missing' as const, subject: `operator:${x.operatorId}`, severity: s.severity, operatorId: x.operatorId, divisionCode: x.divisionCode,
      codes: [], eventSeqs: [], evidenceAt: x.latestMissingAt ?? null, facts: { total: x.total, missing: x.missing, ratePercent: rate, windowDays: s.windowDays },
      explanation: {
        zh: `近 ${s.windowDays} 天 ${x.total} 次进货中有 ${x.missing} 次无上游追溯记录（${rate}%），超过 ${s.maxRatePercent}%。`,
        en: `${x.missing} of ${x.total} receipts in the last ${s.windowDays} days came with no upstream record (${rate}%), above ${s.maxRatePercent}%.`,
      },
    };
  });
}

// ---- From a warning to an incident ----------------------------------------------------------------

/** An incident's reason and recall level (src/recall's vocabulary, 《食品召回管理办法》). */
export type IncidentReason = 'failed_inspection' | 'illness_cluster' | 'complaint' | 'customs_notice' | 'other';
export type IncidentSeverity = 'level_1' | 'level_2' | 'level_3';

const REASON_OF_RULE: Partial<Record<string, IncidentReason>> = { inspection_failed: 'failed_inspection', complaint_cluster: 'complaint' };
const LEVEL_OF_SEVERITY: Record<Severity, IncidentSeverity> = { critical: 'level_1', high: 'level_2', medium: 'level_3', low: 'level_3' };

/**
 * What an incident opened from a warning names: the warning's platform trace codes (foreign EPCs are for the trace,
 * not for opening), the reason its rule stands for, the recall level of its severity (critical → level 1, high →
 * level 2, medium and low → level 3), and its explanation. Null when it names no trace code.
 */
export function incidentFromWarning(w: { rule: string; severity: string; codes: readonly string[]; explanation_zh: string; explanation_en: string }) {
  const codes = uniq(w.codes.filter(isCodeKey));
  if (codes.length === 0) return null;
  return {
    codes, reason: REASON_OF_RULE[w.rule] ?? 'other', severity: LEVEL_OF_SEVERITY[w.severity as Severity] ?? 'level_3',
    description: `${w.explanation_zh}\n${w.explanation_en}`.slice(0, 2000),
  };
}
