/**
 * The risk and recall vocabulary as the regulator console names it, in the API's order (src/risk/risk-types.ts,
 * src/recall/recall-types.ts, src/registry/registry-types.ts). Each entry is [中文, English].
 */

export type Names = Record<string, readonly [string, string]>;

export const RULES: Names = {
  inspection_failed: ['检验不合格', 'Inspection failed'],
  pre_harvest_interval: ['未过安全间隔期或休药期', 'Inside the pre-harvest interval or withdrawal period'],
  banned_input: ['使用禁用或限用投入品', 'Banned or restricted input applied'],
  undesignated_dealer: ['非定点经营限用农药', 'Restricted pesticide sold by a non-designated dealer'],
  trading_while_barred: ['许可证过期或被暂停仍在经营', 'Trading with an expired licence or while suspended'],
  cold_chain_excursion: ['冷链温度超标', 'Cold-chain temperature excursion'],
  mass_balance: ['物料不平衡', 'Mass balance'],
  suspected_clone: ['疑似克隆码', 'Suspected clone code'],
  complaint_cluster: ['投诉聚集', 'Cluster of complaints'],
  entry_admission_missing: ['进货无上游记录比例过高', 'Too many receipts without upstream record'],
};

export const WARNING_SEVERITIES: Names = { low: ['低', 'Low'], medium: ['中', 'Medium'], high: ['高', 'High'], critical: ['严重', 'Critical'] };
export const WARNING_STATUSES: Names = { open: ['待处理', 'Open'], acknowledged: ['已确认', 'Acknowledged'], closed: ['已关闭', 'Closed'] };

export const INCIDENT_REASONS: Names = {
  failed_inspection: ['抽检不合格', 'Failed inspection'],
  illness_cluster: ['聚集性病例', 'Illness cluster'],
  complaint: ['投诉举报', 'Complaint'],
  customs_notice: ['海关通报', 'Customs notice'],
  other: ['其他', 'Other'],
};
export const RECALL_LEVELS: Names = {
  level_1: ['一级召回（严重危害）', 'Level 1 (serious harm)'],
  level_2: ['二级召回（一般危害）', 'Level 2 (general harm)'],
  level_3: ['三级召回（无危害，如标签）', 'Level 3 (no harm, e.g. labelling)'],
};
export const INCIDENT_STATUSES: Names = { open: ['处置中', 'Open'], closed: ['已结案', 'Closed'] };
export const NOTICE_KINDS: Names = { recall: ['召回', 'Recall'], hold: ['暂停销售、就地封存', 'Hold (stop selling, seal in place)'] };
export const RESPONSE_ACTIONS: Names = { held: ['封存', 'Held'], returned: ['退回', 'Returned'], destroyed: ['销毁', 'Destroyed'] };
export const RUN_STATUSES: Names = {
  pending: ['等待', 'Pending'], running: ['进行中', 'Running'], done: ['完成', 'Done'], succeeded: ['已完成', 'Succeeded'], failed: ['失败', 'Failed'],
};

/** The registry's own names of the operator types. */

export const COMPLAINT_STATUSES: Names = { received: ['已受理', 'Received'], investigating: ['调查中', 'Investigating'], closed: ['已办结', 'Closed'] };

export const COMPLAINT_CATEGORIES: Names = {
  quality: ['质量问题', 'Quality'], illness: ['食用后不适', 'Illness after eating'], counterfeit: ['疑似假冒', 'Suspected counterfeit'],
  label: ['标签问题', 'Labelling'], other: ['其他', 'Other'],
};

export const SOURCE_PARTS: Names = { producer: ['生产', 'Producer'], processor: ['加工', 'Processor'], handler: ['经手', 'Handler'] };

/** The name of a value in the current language, or the value itself when the vocabulary does not know it. */
export function named(names: Names, value: string | null | undefined, t: (zh: string, en: string) => string): string {
  if (!value) return '—';
  const n = names[value];
  return n ? t(n[0], n[1]) : value;
}

/** Badge tone of a warning severity. */
export function severityTone(s: string): 'bad' | 'warn' | 'info' | 'neutral' {
  return s === 'critical' || s === 'high' ? 'bad' : s === 'medium' ? 'warn' : 'info';
}
export function levelTone(s: string): 'bad' | 'warn' | 'info' {
  return s === 'level_1' ? 'bad' : s === 'level_2' ? 'warn' : 'info';
}
export function statusTone(s: string): 'bad' | 'warn' | 'good' | 'neutral' {
  return s === 'open' || s === 'received' ? 'bad' : s === 'acknowledged' || s === 'investigating' ? 'warn' : s === 'closed' || s === 'done' || s === 'succeeded' ? 'good' : 'neutral';
}
