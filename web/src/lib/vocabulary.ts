/**
 * The recall vocabulary both the regulator console and the operator's inbox show, in the API's order
 * (src/recall/recall-types.ts), one wording per value. Each entry is [中文, English], and a value that a narrow table
 * column names shorter carries that short form as a third element: [中文, English, [短中文, Short English]].
 * Regulator-only vocabularies (rules, warnings, complaints) are in web/src/regulator/risk/labels.ts.
 */

export type Name = readonly [zh: string, en: string, short?: readonly [zh: string, en: string]];
export type Names = Record<string, Name>;

export const INCIDENT_REASONS: Names = {
  failed_inspection: ['抽检不合格', 'Failed inspection'],
  illness_cluster: ['聚集性病例', 'Illness cluster'],
  complaint: ['投诉举报', 'Complaint'],
  customs_notice: ['海关通报', 'Customs notice'],
  other: ['其他', 'Other'],
};
/** The incident's `severity`: the recall level. */
export const RECALL_LEVELS: Names = {
  level_1: ['一级召回（严重危害）', 'Level 1 (serious harm)', ['一级', 'Level 1']],
  level_2: ['二级召回（一般危害）', 'Level 2 (general harm)', ['二级', 'Level 2']],
  level_3: ['三级召回（无危害，如标签）', 'Level 3 (no harm, e.g. labelling)', ['三级', 'Level 3']],
};
export const INCIDENT_STATUSES: Names = { open: ['处置中', 'Open'], closed: ['已结案', 'Closed'] };
/** What a notice asks of the operator. */
export const NOTICE_KINDS: Names = { recall: ['召回', 'Recall'], hold: ['暂停销售、就地封存', 'Hold (stop selling, seal in place)'] };
/**
 * What an operator did with the goods. One form reads as a table column header, as an option to choose and in a
 * list of what was reported ("封存 12 kg；退回 3 kg").
 */
export const RESPONSE_ACTIONS: Names = { held: ['封存', 'Held'], returned: ['退回', 'Returned'], destroyed: ['销毁', 'Destroyed'] };

/**
 * The name of a value in the current language (its short form with 'short', where the vocabulary has one), or the
 * value itself when the vocabulary does not know it.
 */
export function named(names: Names, value: string | null | undefined, t: (zh: string, en: string) => string, form: 'full' | 'short' = 'full'): string {
  if (!value) return '—';
  const n = names[value];
  if (!n) return value;
  const [zh, en] = form === 'short' && n[2] ? n[2] : n;
  return t(zh, en);
}
