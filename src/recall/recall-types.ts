import { z } from 'zod';
import type { Actor } from '../accounts/actor.ts';

/**
 * The vocabulary of problem-food incidents and recall (问题食品排查与召回): why an incident is opened, how serious it
 * is, what a notice asks of an operator, and what an operator answers. Request shapes live here as zod schemas so
 * that routes validate with them and services take their inferred types.
 */

/** Why an incident is opened: 抽检不合格, 聚集性病例, 投诉举报, 海关通报, 其他. */
export const INCIDENT_REASONS = ['failed_inspection', 'illness_cluster', 'complaint', 'customs_notice', 'other'] as const;
export type IncidentReason = (typeof INCIDENT_REASONS)[number];

/**
 * Recall levels of 《食品召回管理办法》: level 1 (has caused or may cause serious harm or death), level 2 (may cause
 * general harm), level 3 (no harm, e.g. labelling). The rules give operators 24, 48 and 72 hours to act.
 */
export const SEVERITIES = ['level_1', 'level_2', 'level_3'] as const;
export type Severity = (typeof SEVERITIES)[number];
/** How long a notice may stay unacknowledged before it escalates, by severity, unless the incident says otherwise. */
export const ESCALATE_AFTER_MINUTES: Record<Severity, number> = { level_1: 24 * 60, level_2: 48 * 60, level_3: 72 * 60 };

/** What a notice asks: recall (召回) or hold (暂停销售、就地封存). */
export const NOTICE_KINDS = ['recall', 'hold'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

/** What an operator reports of the goods it holds: held (non_conformant), returned (recalled) or destroyed. */
export const RESPONSE_ACTIONS = ['held', 'returned', 'destroyed'] as const;
export type ResponseAction = (typeof RESPONSE_ACTIONS)[number];

/** Export formats: a workbook for investigators, and the FSMA 204 electronic sortable spreadsheet (CSV). */
export const EXPORT_FORMATS = ['xlsx', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The platform acting on its own, e.g. the risk engine opening an incident from a warning. */
export const SYSTEM_ACTOR: Actor = Object.freeze({ role: 'platform-admin', username: 'system' });

const Quantity = z.union([z.number(), z.string().max(40)]);

export const OpenIncidentBody = z.object({
  codes: z.array(z.string().min(1).max(2048)).min(1).max(100)
    .describe('Trace codes (bare, scan URL or GS1 Digital Link); an item code brings in its batch'),
  reason: z.enum(INCIDENT_REASONS),
  severity: z.enum(SEVERITIES),
  description: z.string().trim().max(2000).optional(),
  warningId: z.string().trim().min(1).max(100).optional().describe('The risk warning behind it; one incident per warning'),
  escalateAfterMinutes: z.number().int().min(1).max(60 * 24 * 30).optional()
    .describe('Unacknowledged notices escalate after this long; defaults to 24, 48 or 72 hours by severity'),
});
export type OpenIncidentInput = z.infer<typeof OpenIncidentBody>;

export const IssueNoticesBody = z.object({
  kind: z.enum(NOTICE_KINDS),
  message: z.string().trim().max(2000).optional(),
});
export type IssueNoticesInput = z.infer<typeof IssueNoticesBody>;

export const CloseIncidentBody = z.object({ conclusion: z.string().trim().min(1).max(4000) });
export type CloseIncidentInput = z.infer<typeof CloseIncidentBody>;

export const RespondBody = z.object({
  requestId: z.string().trim().min(1).max(100).optional().describe('A retry with the same requestId stores nothing twice'),
  lines: z.array(z.object({
    code: z.string().min(1).max(2048).describe('A code the notice lists'),
    action: z.enum(RESPONSE_ACTIONS),
    quantity: Quantity,
    unit: z.string().trim().max(20).optional().describe("Defaults to the unit the notice states for the code"),
  })).min(1).max(200),
  note: z.string().trim().max(1000).optional(),
});
export type RespondInput = z.infer<typeof RespondBody>;

export const WebhookBody = z.object({ url: z.string().trim().min(1).max(2000) });

/** A line of a notice: one code the operator holds, with the quantities the events show (decimal strings). */
export interface NoticeLine {
  code: string;
  kind: 'batch' | 'item' | 'epc';
  product: string | null;
  lotNumber: string | null;
  unit: string;
  reached: string;
  passedOn: string;
  soldToConsumers: string;
  onHand: string;
}

/** An open incident that covers a code, as the consumer page and other capabilities ask for it. */
export interface OpenRecall {
  code: string;
  incidentId: string;
  number: string;
  /** recall once a recall notice went out; hold while the goods are only held or under investigation. */
  action: NoticeKind;
  severity: Severity;
  openedAt: string;
}
