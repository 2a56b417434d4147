import type { Queryable } from '../platform/db.ts';
import type { Actor } from '../accounts/actor.ts';
import { CLONE_LOOKBACK_DAYS } from '../scan/scan-fns.ts';
import { pgLineageSource, traceDal } from '../trace/trace-dal.ts';
import { admitKeys, applyLevel, frontierKeys, startTrace } from '../trace/trace-fns.ts';
import type { RiskDal } from './risk-dal.ts';
import * as fns from './risk-fns.ts';
import { RULE_NAMES } from './risk-names.ts';
import { type AllSettings, type Bilingual, type Finding, type RiskEvent, type RuleId, type RuleSettings, RULE_IDS, SETTINGS_SCHEMAS } from './risk-types.ts';

/**
 * The rule catalogue: each rule's names, what it checks, what its settings mean, and how it gathers its facts (one
 * batched query per rule and capture, or per scheduled run) before its pure function in risk-fns.ts decides.
 */

export interface CaptureContext { dal: RiskDal; events: RiskEvent[]; now: Date }
/** What the rules read of one capture: its events, and its sales with the goods they name, read once for all of them. */
interface CaptureReading extends CaptureContext { sales(): Promise<{ sales: fns.Sale[]; goods: Map<string, fns.GoodsFacts> }> }
export interface ScheduleContext {
  dal: RiskDal; now: Date;
  /** When the previous scheduled run ended, if one did. */
  lastRunAt: Date | null;
}

interface RuleDef<R extends RuleId> {
  id: R;
  /** The numbered rule of the risk-warning requirement it implements. */
  item: number;
  name: Bilingual;
  description: Bilingual;
  settings: { [K in keyof RuleSettings<R>]-?: Bilingual };
  onCapture?: (ctx: CaptureReading, s: RuleSettings<R>) => Promise<Finding[]>;
  onSchedule?: (ctx: ScheduleContext, s: RuleSettings<R>) => Promise<Finding[]>;
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
// More scans per item than the clone rule's thresholds ever need.
const SCANS_PER_ITEM = 5000;
// Schedule passes read codes and operators in slices so that one statement stays bounded.
const KEYS_PER_QUERY = 1000;
// Records carry the time their transaction began (a long capture may commit after a later run began), and a scan gets
// its location up to an hour after it was made.
const SWEEP_OVERLAP_MS = HOUR_MS;

// Steps by which goods leave an operator (a transformation's inputs leave too: role j).
const OUTGOING_STEPS = new Set(['shipping', 'urn:suyuan:bizstep:selling', 'retail_selling', 'destroying']);

const COMMON = {
  enabled: { zh: '是否启用', en: 'Whether the rule runs' },
  severity: { zh: '预警级别（low / medium / high / critical）', en: 'Severity of its warnings (low / medium / high / critical)' },
};
const present = <T>(xs: Array<T | null>): T[] => xs.filter((x): x is T => x !== null);
const bySeq = (...lists: RiskEvent[][]) => [...new Map(lists.flat().map((e) => [e.seq, e])).values()];
const earliest = (days: string[]) => [...days].sort()[0];
// Days are China calendar days; a lookback starts at that day's midnight.
const daysBefore = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00+08:00`) - n * DAY_MS);
const chunks = <T>(xs: T[], n: number): T[][] => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));
/**
 * Where a schedule sweep starts: the previous run (with an overlap), at most `ms` back. A rule's verdict only changes
 * with new records, so each run reads what arrived since the last one, not the whole window again; for rules also
 * checked on capture, the sweep catches what capture did not evaluate (a rule switched off then, an evaluation still
 * being retried, records stored by other means). The overlap reads again what was judged before: findings say when
 * their newest evidence was recorded (Finding.evidenceAt), so that a warning closed since is not raised again.
 */
const sweepSince = ({ now, lastRunAt }: ScheduleContext, ms: number) =>
  new Date(Math.max(now.getTime() - ms, (lastRunAt?.getTime() ?? 0) - SWEEP_OVERLAP_MS));

export const RULES: { [R in RuleId]: RuleDef<R> } = {
  inspection_failed: {
    id: 'inspection_failed', item: 1,
    name: RULE_NAMES.inspection_failed,
    description: {
      zh: '检验结论为不合格（sy:inspection.result 为 fail 或 disposition 为 non_conformant）时预警，并按正向追溯生成对该批次及其全部下游（含该批次单独流转的单品码及其去向）的扣留建议。',
      en: 'Warns when an inspection fails (sy:inspection.result fail or disposition non_conformant) and proposes holding the batch and everything downstream of it (item codes of the batch that moved on their own, and where they went, included), found by a forward trace.',
    },
    settings: {
      ...COMMON,
      officialSamplingSeverity: { zh: '监督抽检不合格的预警级别（快检用 severity）', en: 'Severity when an official sampling fails (rapid tests use severity)' },
      proposeHold: { zh: '是否自动生成扣留建议', en: 'Whether to propose a hold automatically' },
    },
    onCapture: async ({ events }, s) => fns.inspectionFindings(events, s),
  },

  pre_harvest_interval: {
    id: 'pre_harvest_interval', item: 2,
    name: RULE_NAMES.pre_harvest_interval,
    description: {
      zh: '采收或生产（commissioning）距同一场所施用的投入品、屠宰或加工（转化）距对原料批次施用的投入品不足其安全间隔期（农药）或休药期（兽药）时预警。记录任一方时都会检查。',
      en: 'Warns when a harvest or production (commissioning) follows an input applied at the same site, or a slaughter or processing (transformation) follows an input applied to its input batch, by fewer days than the input\'s pre-harvest interval (pesticides) or withdrawal period (veterinary drugs). Checked whichever of the two is recorded last.',
    },
    settings: { ...COMMON, lookbackDays: { zh: '向前查找投入品记录的天数', en: 'How many days back input records are looked for' } },
    async onCapture({ dal, events }, s) {
      const productions = present(events.map(fns.productionOf));
      const applications = present(events.map(fns.applicationOf)).filter((a) => a.intervalDays);
      const captured = new Set(events.map((e) => e.seq));
      const stored = <T extends { seq: string }>(xs: Array<T | null>) => present(xs).filter((x) => !captured.has(x.seq));
      const sites = (xs: Array<{ site: string | null }>) => [...new Set(present(xs.map((x) => x.site)))];
      // Inputs applied before what was produced now; and production after inputs recorded now (a late record).
      const earlierInputs = productions.length === 0 ? [] : stored((await dal.applications(
        sites(productions), productions.flatMap((p) => [...p.inputs, ...p.outputs]), daysBefore(earliest(productions.map((p) => p.day)), s.lookbackDays),
      )).map(fns.applicationOf));
      const laterProduction = applications.length === 0 ? [] : stored((await dal.productions(
        sites(applications.filter((a) => a.codes.length === 0)), applications.flatMap((a) => a.codes), daysBefore(earliest(applications.map((a) => a.appliedOn)), 1),
      )).map(fns.productionOf));
      return [
        ...fns.preHarvestFindings(productions, [...applications, ...earlierInputs], s),
        ...fns.preHarvestFindings(laterProduction, applications, s),
      ];
    },
  },

  banned_input: {
    id: 'banned_input', item: 3,
    name: RULE_NAMES.banned_input,
    description: {
      zh: '投入品使用记录的产品名称含有禁用农药、兽药（如甲胺磷、对硫磷、克伦特罗）或限制使用的高毒农药（如克百威、涕灭威）时预警；发货或销售产品名称含有禁用物质的货品时，无论卖方是生产企业还是（定点或非定点）经营者，均按禁用的预警级别预警。',
      en: 'Warns when an input application names a banned pesticide or veterinary substance (e.g. methamidophos, parathion, clenbuterol) or a restricted high-toxicity pesticide (e.g. carbofuran, aldicarb); and, at the banned severity, when goods whose product name contains a banned substance are shipped or sold, whoever sells them (maker, or dealer designated or not).',
    },
    settings: {
      ...COMMON,
      restrictedSeverity: { zh: '限用农药的预警级别（禁用的用 severity）', en: 'Severity for restricted pesticides (banned ones use severity)' },
      banned: { zh: '禁用物质名单', en: 'Banned substances' },
      restricted: { zh: '限用高毒农药名单', en: 'Restricted high-toxicity pesticides' },
    },
    async onCapture(ctx, s) {
      const { sales, goods } = await ctx.sales();
      return [...fns.bannedInputFindings(present(ctx.events.map(fns.applicationOf)), s), ...fns.bannedSaleFindings(sales, goods, s)];
    },
  },

  undesignated_dealer: {
    id: 'undesignated_dealer', item: 3,
    name: RULE_NAMES.undesignated_dealer,
    description: {
      zh: '经营主体发货或销售限制使用农药（按产品类别或名称），但没有当日有效的定点经营许可证时预警；生产企业销售自产批次不在此列。',
      en: 'Warns when an operator ships or sells restricted pesticides (by product category or name) without a designated-dealer licence valid that day; a maker selling its own batches is exempt.',
    },
    settings: {
      ...COMMON,
      categories: { zh: '限用农药的产品类别（含下级类别）', en: 'Product categories of restricted pesticides (with their subcategories)' },
      substances: { zh: '按名称识别的限用农药', en: 'Restricted pesticides recognised by name' },
      licenceTypes: { zh: '视为定点经营许可的许可证类型', en: 'Licence types that make an operator a designated dealer' },
    },
    async onCapture({ dal, sales: read }, s) {
      const { sales, goods } = await read();
      if (sales.length === 0) return [];
      const sellers = [...new Set(sales.filter((x) => fns.restrictedGoodsOf(x, goods, s).length).map((x) => x.operatorId))];
      if (sellers.length === 0) return [];
      const licences = new Map((await dal.parties(sellers)).map((p) => [p.id, p.licences]));
      return fns.dealerFindings(sales, goods, licences, s);
    },
  },

  trading_while_barred: {
    id: 'trading_while_barred', item: 4,
    name: RULE_NAMES.trading_while_barred,
    description: {
      zh: '经营主体被暂停之后，或其某类许可证全部到期（加宽限天数）之后，仍有以其为一方的生产、收发货、销售等记录时预警。',
      en: 'Warns when an operator appears in a production, shipping, receiving or sale record (as recorder or other party) dated after it was suspended, or after every licence of one type it holds expired (plus the grace days).',
    },
    settings: {
      ...COMMON,
      licenceSeverity: { zh: '许可证过期的预警级别（暂停用 severity）', en: 'Severity for an expired licence (suspension uses severity)' },
      licenceGraceDays: { zh: '许可证到期后的宽限天数', en: 'Grace days after a licence expires' },
      steps: { zh: '视为经营活动的业务步骤', en: 'Business steps that count as trading' },
    },
    async onCapture({ dal, events }, s) {
      const steps = new Set(s.steps);
      const trading = events.filter((e) => steps.has(e.bizStep ?? ''));
      const ids = [...new Set(present(trading.flatMap((e) => [e.operatorId, e.counterpartyId])))];
      if (ids.length === 0) return [];
      return fns.barredTradingFindings(trading, new Map((await dal.parties(ids)).map((p) => [p.id, p])), s);
    },
  },

  cold_chain_excursion: {
    id: 'cold_chain_excursion', item: 5,
    name: RULE_NAMES.cold_chain_excursion,
    description: {
      zh: '事件传感器数据（sensorElementList 中类型为 Temperature 的 sensorReport，或设备报警）显示货品温度超出其类别的范围，且持续时间超过允许的分钟数时预警；同一货品的多个事件合并计算。',
      en: 'Warns when sensor data in events (sensorReport of type Temperature in sensorElementList, or a device alarm) shows goods outside their category\'s range for longer than allowed; readings of one item or batch across events are read together.',
    },
    settings: {
      ...COMMON,
      ranges: { zh: '按产品类别前缀的温度范围（°C，首个匹配生效，空前缀匹配全部）', en: 'Temperature ranges by product category prefix (°C, first match wins, the empty prefix matches all)' },
      maxMinutesOutside: { zh: '允许超出范围的分钟数', en: 'Minutes allowed outside the range' },
      historyHours: { zh: '合并计算的先前读数的小时数', en: 'Hours of earlier readings read together with new ones' },
    },
    async onCapture({ dal, events }, s) {
      const sensed = events.filter((e) => fns.temperatureReadings(e.body).length > 0);
      const keys = [...new Set(sensed.flatMap((e) => fns.keysOf(e, 'eqp')))];
      if (keys.length === 0) return [];
      const since = new Date(Math.min(...sensed.map((e) => e.eventTime.getTime())) - s.historyHours * HOUR_MS);
      const history = await dal.sensorEvents(keys, since);
      const categories = s.ranges.some((r) => r.categoryPrefix !== '') ? new Map((await dal.goods(keys)).map((g) => [g.code, g.categoryCode])) : new Map<string, string>();
      const subjects = fns.sensorSubjects(bySeq(history, sensed), categories).filter((x) => keys.includes(x.key));
      return fns.coldChainFindings(subjects, s);
    },
  },

  mass_balance: {
    id: 'mass_balance', item: 6,
    name: RULE_NAMES.mass_balance,
    description: {
      zh: '经营主体就某一批次发出（发货、销售、零售、加工投料、销毁）的数量超过其生产和收货的数量（按该批次的全部记录，超出容差）时预警。只比较同一计量（重量、体积、件数，或无法换算的同一单位）：不同单位不相互比较，以该主体从未生产或收货过该批次的单位发出的数量无法判断，不预警。每次发出时检查；定时任务复查上次运行以来（至多窗口天数）有发出记录的批次。',
      en: 'Warns when an operator sends out more of a batch (shipped, sold, retailed, used in processing, destroyed) than it produced and received, over the batch\'s whole record, beyond the tolerance. Only like is compared with like (weight, volume, pieces, or the same unit that does not convert): mixed units are not compared, and goods sent out in a unit in which the operator never produced or received the batch cannot be judged and raise nothing. Checked whenever goods go out; the schedule rechecks batches that went out since its previous run (at most the window back).',
    },
    settings: {
      ...COMMON,
      tolerancePercent: { zh: '容差（%）', en: 'Tolerance (%)' },
      windowDays: { zh: '定时复查最多回溯的天数', en: 'Days the schedule looks back at most' },
    },
    async onCapture({ dal, events }, s) {
      const pairs = new Map<string, { operatorId: string; code: string; divisionCode: string | null; seqs: string[] }>();
      for (const e of events) {
        if (!e.operatorId) continue;
        const out = e.ids.filter((i) => i.role === 'j' || (i.role === 'q' && OUTGOING_STEPS.has(e.bizStep ?? '')));
        for (const { key } of out) {
          const k = `${e.operatorId}|${key}`;
          const p = pairs.get(k) ?? { operatorId: e.operatorId, code: key, divisionCode: e.divisionCode, seqs: [] };
          p.seqs.push(e.seq);
          pairs.set(k, p);
        }
      }
      if (pairs.size === 0) return [];
      const movements = await dal.movements([...new Set([...pairs.values()].map((p) => p.code))]);
      return fns.massBalanceFindings([...pairs.values()], movements, s).map((f) => ({ ...f, eventSeqs: pairs.get(`${f.operatorId}|${f.codes[0]}`)!.seqs }));
    },
    async onSchedule(ctx, s) {
      const { dal } = ctx;
      const pairs = await dal.outboundPairs(sweepSince(ctx, s.windowDays * DAY_MS));
      const findings: Finding[] = [];
      for (const codes of chunks([...new Set(pairs.map((p) => p.code))], KEYS_PER_QUERY)) {
        const slice = new Set(codes);
        findings.push(...fns.massBalanceFindings(pairs.filter((p) => slice.has(p.code)), await dal.movements(codes), s));
      }
      return findings;
    },
  },

  suspected_clone: {
    id: 'suspected_clone', item: 7,
    name: RULE_NAMES.suspected_clone,
    description: {
      zh: '定时检查上次运行以来被扫描的单品码：扫码日志的克隆规则（src/scan，阈值固定：6 小时内相距 300 公里以上，或 24 小时内超过 50 台设备或 200 次扫描）判定疑似被复制时预警。',
      en: 'On schedule, checks item codes scanned since the previous run with the scan log\'s clone rule (src/scan, fixed thresholds: more than 300 km apart within 6 hours, or more than 50 devices or 200 scans within 24 hours).',
    },
    settings: { ...COMMON, scannedWithinHours: { zh: '检查上次运行以来（至多这么多小时）被扫描过的单品码', en: 'Item codes scanned since the previous run, at most this many hours back, are checked' } },
    async onSchedule(ctx, s) {
      const items = await ctx.dal.scannedItems(sweepSince(ctx, s.scannedWithinHours * HOUR_MS), new Date(ctx.now.getTime() - CLONE_LOOKBACK_DAYS * DAY_MS), SCANS_PER_ITEM);
      return fns.cloneFindings(items, s);
    },
  },

  complaint_cluster: {
    id: 'complaint_cluster', item: 7,
    name: RULE_NAMES.complaint_cluster,
    description: {
      zh: '定时检查：窗口内关于同一产品的投诉，或针对同一经营主体的全部投诉（含指明其产品的投诉），达到阈值时预警。经营主体的投诉若全部已计入其产品的投诉聚集预警，则不再重复预警。预警被关闭后，须有新的投诉才会再次预警。',
      en: 'On schedule: warns when complaints within the window about one product, or all complaints against one operator (those naming its products included), reach the threshold. An operator\'s complaints that all lie in its products\' clusters raise no second warning. Once its warning is closed, only a new complaint raises it again.',
    },
    settings: {
      ...COMMON,
      minComplaints: { zh: '预警的投诉件数', en: 'Complaints that raise a warning' },
      windowDays: { zh: '统计天数', en: 'Days counted' },
    },
    onSchedule: async ({ dal, now }, s) => fns.complaintClusterFindings(await dal.complaints(new Date(now.getTime() - s.windowDays * DAY_MS)), now, s),
  },

  entry_admission_missing: {
    id: 'entry_admission_missing', item: 8,
    name: RULE_NAMES.entry_admission_missing,
    description: {
      zh: '经营主体在窗口内的进货中，无上游追溯记录（进场准入 noUpstreamRecord）的比例超过阈值（且进货次数达到最少次数）时预警。收货时检查该主体；定时任务复查上次运行以来有收货记录的主体。',
      en: 'Warns when the share of an operator\'s receipts within the window that came with no upstream record (entry admission noUpstreamRecord) exceeds the rate, given enough receipts. Checked for the operator when it receives goods; the schedule rechecks operators that received goods since its previous run.',
    },
    settings: {
      ...COMMON,
      windowDays: { zh: '统计天数', en: 'Days counted' },
      minReceipts: { zh: '最少进货次数', en: 'Fewest receipts before the rate counts' },
      maxRatePercent: { zh: '允许的无上游记录比例（%）', en: 'Highest share without upstream record allowed (%)' },
    },
    async onCapture({ dal, events, now }, s) {
      const receipts = events.filter((e) => e.bizStep === 'receiving' && e.operatorId);
      const ids = [...new Set(receipts.map((e) => e.operatorId!))];
      if (ids.length === 0) return [];
      // The receipts without upstream record captured now are the warning's evidence (and new to a closed one).
      const missing = (id: string) => receipts.filter((e) => e.operatorId === id && String(e.body['sy:entryAdmission']?.noUpstreamRecord) === 'true').map((e) => e.seq);
      return fns.entryAdmissionFindings(await dal.receiptStats(ids, new Date(now.getTime() - s.windowDays * DAY_MS)), s)
        .map((f) => ({ ...f, eventSeqs: missing(f.operatorId!) }));
    },
    async onSchedule(ctx, s) {
      const since = new Date(ctx.now.getTime() - s.windowDays * DAY_MS);
      const findings: Finding[] = [];
      for (const ids of chunks(await ctx.dal.receiversSince(sweepSince(ctx, s.windowDays * DAY_MS)), KEYS_PER_QUERY)) {
        findings.push(...fns.entryAdmissionFindings(await ctx.dal.receiptStats(ids, since), s));
      }
      return findings;
    },
  },
};

function captureRule<R extends RuleId>(id: R, ctx: CaptureReading, settings: AllSettings): Promise<Finding[]> {
  const rule: RuleDef<R> = RULES[id];
  return rule.onCapture && settings[id].enabled ? rule.onCapture(ctx, settings[id]) : Promise.resolve([]);
}

/** Runs every enabled rule that reads captured events over them; their findings, merged per rule and subject. */
export async function evaluateCaptured(ctx: CaptureContext, settings: AllSettings): Promise<Finding[]> {
  const events = fns.liveEvents(ctx.events);
  let sold: ReturnType<CaptureReading['sales']> | undefined;
  const live: CaptureReading = {
    ...ctx, events,
    sales: () => (sold ??= (async () => {
      const sales = present(events.map(fns.saleOf));
      const goods = new Map(sales.length ? (await ctx.dal.goods([...new Set(sales.flatMap((x) => x.codes))])).map((g) => [g.code, g]) : []);
      return { sales, goods };
    })()),
  };
  const findings: Finding[] = [];
  for (const id of RULE_IDS) findings.push(...(await captureRule(id, live, settings)));
  return fns.mergeFindings(findings);
}

/** The rules that run on schedule. */
export const SCHEDULED_RULES = RULE_IDS.filter((id) => !!RULES[id].onSchedule);

/** Runs one scheduled rule when it is enabled; its findings, merged per subject. */
export async function evaluateScheduled<R extends RuleId>(id: R, ctx: ScheduleContext, settings: AllSettings): Promise<Finding[]> {
  const rule: RuleDef<R> = RULES[id];
  if (!rule.onSchedule || !settings[id].enabled) return [];
  return fns.mergeFindings(await rule.onSchedule(ctx, settings[id]));
}

// The engine reads as the platform: a hold must cover goods wherever they went, whoever may see them.
const RISK_ENGINE: Actor = Object.freeze({ role: 'platform-admin', username: 'risk-engine' });

/**
 * A hold proposal for failed goods: the codes (with the batch of an item code) and everything downstream of them, by
 * the trace engine's forward direction over this node's store, and the operators that recorded or received them.
 * Item codes (一品一码) of a batch reached that moved on their own are admitted with it at each level, as the recall's
 * forward walk does: no event links them to their batch code.
 */
export async function holdProposal(q: Queryable, dal: RiskDal, codes: string[]) {
  const startCodes = [...new Set([...codes, ...(await dal.itemBatchCodes(codes))])];
  const source = pgLineageSource(q);
  const state = startTrace(startCodes, 'forward');
  while (state.frontier.size > 0) {
    admitKeys(state, await traceDal(q).movedItems(frontierKeys(state)), 'forward');
    applyLevel(state, await source.expand(frontierKeys(state), RISK_ENGINE));
  }
  const operators = new Set<string>();
  for (const e of state.events.values()) for (const id of [e.operatorId, e.counterpartyId]) if (id) operators.add(id);
  return { startCodes, affectedCodes: [...state.nodes.keys()], affectedOperatorIds: [...operators], truncated: state.truncated };
}

function catalogueEntry<R extends RuleId>(id: R, effective: AllSettings) {
  const rule: RuleDef<R> = RULES[id];
  const defaults: Record<string, unknown> = SETTINGS_SCHEMAS[id].parse({});
  const value: Record<string, unknown> = effective[id];
  return {
    id, item: rule.item, name: rule.name, description: rule.description,
    triggers: [...(rule.onCapture ? ['capture'] : []), ...(rule.onSchedule ? ['schedule'] : [])],
    settings: Object.entries(rule.settings as Record<string, Bilingual>).map(([key, description]) => ({ key, description, default: defaults[key], value: value[key] })),
  };
}

/** The rule catalogue as the API shows it: names, what each checks, when it runs, and each setting with its default and value. */
export function ruleCatalogue(effective: AllSettings) {
  return RULE_IDS.map((id) => catalogueEntry(id, effective));
}
