import { z } from 'zod';
import type { EpcisEvent } from '../events/events-fns.ts';

/**
 * The vocabulary of risk warnings (风险预警): the rules, their settings with the defaults in code (a platform admin
 * overrides them per node in `risk_settings`), what a rule finds, and the events it reads.
 */

export const RULE_IDS = [
  'inspection_failed', 'pre_harvest_interval', 'banned_input', 'undesignated_dealer', 'trading_while_barred',
  'cold_chain_excursion', 'mass_balance', 'suspected_clone', 'complaint_cluster', 'entry_admission_missing',
] as const;
export type RuleId = (typeof RULE_IDS)[number];

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const WARNING_STATUSES = ['open', 'acknowledged', 'closed'] as const;

export interface Bilingual { zh: string; en: string }

/** A warning a rule asks for, before it is merged into the warning of the same rule and subject that is not closed. */
export interface Finding {
  rule: RuleId;
  /** What the warning is about (`code:…`, `operator:…`, `product:…`): one warning that is not closed per rule and subject. */
  subject: string;
  severity: Severity;
  operatorId: string | null;
  divisionCode: string | null;
  codes: string[];
  explanation: Bilingual;
  facts: Record<string, unknown>;
  eventSeqs: string[];
  /**
   * When the newest record it rests on was recorded (goods sent out, a receipt without upstream record, a scan, a
   * complaint), for findings that a scheduled sweep reads again. A closed warning of the same rule and subject that
   * had taken in evidence up to then (and showed the finding's events and codes) stays closed: see upsertWarnings.
   */
  evidenceAt?: Date | null;
}

/** A stored event as the rules read it: attribution, every identifier it names by role, and its body. */
export interface RiskEvent {
  seq: string;
  eventType: string;
  action: string | null;
  bizStep: string | null;
  disposition: string | null;
  eventTime: Date;
  bizLocation: string | null;
  operatorId: string | null;
  divisionCode: string | null;
  counterpartyId: string | null;
  ids: Array<{ key: string; role: string }>;
  body: EpcisEvent;
}

// ---- Settings: one schema per rule, every field with its default ---------------------------------

/**
 * Pesticides banned in China (禁止使用的农药, the agriculture ministry's list, with the four withdrawn from September 2024)
 * and substances banned in food animals (瘦肉精, 孔雀石绿, 氯霉素 …). Matched as text inside the product name.
 */
export const DEFAULT_BANNED_INPUTS: readonly string[] = [
  '六六六', '滴滴涕', '毒杀芬', '二溴氯丙烷', '杀虫脒', '二溴乙烷', '除草醚', '艾氏剂', '狄氏剂', '汞制剂', '砷类', '铅类', '敌枯双',
  '氟乙酰胺', '甘氟', '毒鼠强', '氟乙酸钠', '毒鼠硅', '甲胺磷', '对硫磷', '甲基对硫磷', '久效磷', '磷胺', '苯线磷', '地虫硫磷',
  '甲基硫环磷', '磷化钙', '磷化镁', '磷化锌', '硫线磷', '蝇毒磷', '治螟磷', '特丁硫磷', '氯磺隆', '胺苯磺隆', '甲磺隆', '福美胂',
  '福美甲胂', '三氯杀螨醇', '林丹', '硫丹', '溴甲烷', '氟虫胺', '杀扑磷', '百草枯', '2,4-滴丁酯', '甲拌磷', '甲基异柳磷', '水胺硫磷',
  '灭线磷',
  '克伦特罗', '莱克多巴胺', '沙丁胺醇', '西马特罗', '氯霉素', '孔雀石绿', '呋喃唑酮', '呋喃西林', '己烯雌酚', '五氯酚酸钠',
];
/** 限制使用农药: high-toxicity pesticides sold only by designated dealers and kept off vegetables, fruit, tea and herbs. */
export const DEFAULT_RESTRICTED_INPUTS: readonly string[] = [
  '克百威', '涕灭威', '氧乐果', '灭多威', '硫环磷', '氯唑磷', '磷化铝', '氯化苦', '乙酰甲胺磷', '丁硫克百威', '乐果', '毒死蜱',
  '三唑磷', '氟虫腈',
];

const enabled = z.boolean().default(true);
const severity = (s: Severity) => z.enum(SEVERITIES).default(s);
const days = (d: number, max = 3650) => z.number().int().min(1).max(max).default(d);
const names = (list: readonly string[]) => z.array(z.string().trim().min(1).max(100)).max(500).default(() => [...list]);

export const SETTINGS_SCHEMAS = {
  inspection_failed: z.strictObject({
    enabled, severity: severity('high'),
    /** An official sampling (监督抽检) weighs more than an operator's own rapid test. */
    officialSamplingSeverity: severity('critical'),
    proposeHold: z.boolean().default(true),
  }),
  pre_harvest_interval: z.strictObject({
    enabled, severity: severity('high'),
    lookbackDays: days(180),
  }),
  banned_input: z.strictObject({
    enabled, severity: severity('critical'),
    restrictedSeverity: severity('high'),
    banned: names(DEFAULT_BANNED_INPUTS),
    restricted: names(DEFAULT_RESTRICTED_INPUTS),
  }),
  undesignated_dealer: z.strictObject({
    enabled, severity: severity('high'),
    categories: z.array(z.string().trim().min(1).max(100)).max(50).default(() => ['INPUT.PESTICIDE.RESTRICTED']),
    substances: names(DEFAULT_RESTRICTED_INPUTS),
    licenceTypes: z.array(z.string().trim().min(1).max(100)).max(50).default(() => ['农药经营许可证（限制使用农药）', '限制使用农药定点经营']),
  }),
  trading_while_barred: z.strictObject({
    enabled, severity: severity('high'),
    licenceSeverity: severity('medium'),
    licenceGraceDays: z.number().int().min(0).max(365).default(0),
    steps: z.array(z.string().min(1).max(200)).max(50).default(() => [
      'commissioning', 'shipping', 'receiving', 'retail_selling', 'urn:suyuan:bizstep:selling', 'repackaging', 'packing',
    ]),
  }),
  cold_chain_excursion: z.strictObject({
    enabled, severity: severity('high'),
    /** Ranges by product category prefix, first match wins; '' matches every product and foreign EPCs. */
    ranges: z.array(z.strictObject({
      categoryPrefix: z.string().max(100),
      minCelsius: z.number().min(-100).max(100).nullable().default(null),
      maxCelsius: z.number().min(-100).max(100),
    })).min(1).max(50).default(() => [{ categoryPrefix: '', minCelsius: null, maxCelsius: 8 }]),
    maxMinutesOutside: z.number().int().min(0).max(10_080).default(30),
    historyHours: z.number().int().min(1).max(24 * 30).default(72),
  }),
  mass_balance: z.strictObject({
    enabled, severity: severity('high'),
    tolerancePercent: z.number().min(0).max(100).default(5),
    windowDays: days(30, 365),
  }),
  suspected_clone: z.strictObject({
    enabled, severity: severity('medium'),
    scannedWithinHours: z.number().int().min(1).max(24 * 30).default(24),
  }),
  complaint_cluster: z.strictObject({
    enabled, severity: severity('medium'),
    minComplaints: z.number().int().min(2).max(10_000).default(3),
    windowDays: days(7, 365),
  }),
  entry_admission_missing: z.strictObject({
    enabled, severity: severity('medium'),
    windowDays: days(30, 365),
    minReceipts: z.number().int().min(1).max(100_000).default(10),
    maxRatePercent: z.number().min(0).max(100).default(20),
  }),
} satisfies Record<RuleId, z.ZodType>;

export type RuleSettings<R extends RuleId> = z.infer<(typeof SETTINGS_SCHEMAS)[R]>;
export type AllSettings = { [R in RuleId]: RuleSettings<R> };
