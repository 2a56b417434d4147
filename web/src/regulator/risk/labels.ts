/**
 * The risk vocabulary only the regulator console shows, in the API's order (src/risk/risk-types.ts,
 * src/recall/recall-types.ts, src/registry/registry-types.ts). Each entry is [中文, English]; `named()` reads them.
 * The recall vocabulary the operator's inbox shares is in web/src/lib/vocabulary.ts.
 */
import type { Names } from '../../lib/vocabulary.ts';

export const RULES: Names = {
  inspection_failed: ['检验不合格', 'Inspection failed'],
  pre_harvest_interval: ['未过安全间隔期或休药期', 'Inside the pre-harvest interval or withdrawal period'],
  banned_input: ['使用或销售禁用、限用投入品', 'Banned or restricted input applied or sold'],
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

export const RUN_STATUSES: Names = {
  pending: ['等待', 'Pending'], running: ['进行中', 'Running'], done: ['完成', 'Done'], succeeded: ['已完成', 'Succeeded'], failed: ['失败', 'Failed'],
};

export const COMPLAINT_STATUSES: Names = { received: ['已受理', 'Received'], investigating: ['调查中', 'Investigating'], closed: ['已办结', 'Closed'] };

export const COMPLAINT_CATEGORIES: Names = {
  quality: ['质量问题', 'Quality'], illness: ['食用后不适', 'Illness after eating'], counterfeit: ['疑似假冒', 'Suspected counterfeit'],
  label: ['标签问题', 'Labelling'], other: ['其他', 'Other'],
};

export const SOURCE_PARTS: Names = { producer: ['生产', 'Producer'], processor: ['加工', 'Processor'], handler: ['经手', 'Handler'] };

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
