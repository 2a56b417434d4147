import { z } from 'zod';

/** The vocabulary of complaints (投诉举报): what a consumer reports, how a regulator handles it. */

export const COMPLAINT_CATEGORIES = ['quality', 'illness', 'counterfeit', 'label', 'other'] as const;
export type ComplaintCategory = (typeof COMPLAINT_CATEGORIES)[number];
export const COMPLAINT_STATUSES = ['received', 'investigating', 'closed'] as const;
export type ComplaintStatus = (typeof COMPLAINT_STATUSES)[number];

/** The photo formats admitted, by the content type they are served with. */
export const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
export type PhotoType = (typeof PHOTO_TYPES)[number];
export const MAX_PHOTO_BYTES = 5 * 1024 * 1024;
export const MAX_TEXT = 2000;

/** A complaint as the intake form sends it (the multipart fields, the photo apart). */
export const ComplaintFields = z.object({
  text: z.string().trim().min(1).max(MAX_TEXT).describe('What happened (required, at most 2000 characters)'),
  category: z.enum(COMPLAINT_CATEGORIES),
  contact: z.string().trim().max(200).optional().describe('Phone or e-mail for the regulator to call back; never shown to operators'),
  code: z.string().trim().min(1).max(2048).describe('The code scanned: bare, scan URL or GS1 Digital Link'),
  scanId: z.uuid().optional().describe('The scan the page was opened from (`scanId` of the scan JSON)'),
});
export type ComplaintInput = z.infer<typeof ComplaintFields>;
/** The photo as uploaded; its type is what its bytes are, whatever the upload declared. */
export interface PhotoInput { bytes: Buffer }

export const StatusBody = z.object({
  status: z.enum(['investigating', 'closed']),
  note: z.string().trim().min(1).max(2000).optional().describe('Required when closing: what was found and done'),
});
export type StatusInput = z.infer<typeof StatusBody>;

/** The per-client rate limit of the public intake: at most `max` complaints per client address in `windowMinutes`. */
export interface RateLimit { max: number; windowMinutes: number }
export const DEFAULT_RATE_LIMIT: RateLimit = { max: 5, windowMinutes: 60 };
