/**
 * The risk vocabulary only the regulator console shows, in the API's order (src/risk/risk-types.ts,
 * src/recall/recall-types.ts, src/registry/registry-types.ts). Each entry is [中文, English]; `named()` reads them.
 * The recall vocabulary the operator's inbox shares is in web/src/lib/vocabulary.ts.
 */
import type { Names } from '../../lib/vocabulary.ts';
import { RULE_NAMES } from '../../../../src/risk/risk-names.ts';

/** The rules' names, as the rule catalogue gives them. */
export const RULES: Names = Object.fromEntries(Object.entries(RULE_NAMES).map(([id, n]) => [id, [n.zh, n.en] as const]));

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
