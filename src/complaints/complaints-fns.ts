import { DomainError } from '../platform/errors.ts';
import type { ComplaintStatus, PhotoType } from './complaints-types.ts';

/*
 * The domain core of complaints: what a photo is by its first bytes, the reference number, the status steps. No SQL,
 * no HTTP.
 */

/** The image format of these bytes by their signature (magic bytes), whatever the upload claimed; null when none admitted. */
export function photoType(b: Uint8Array): PhotoType | null {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length >= 8 && [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((x, i) => b[i] === x)) return 'image/png';
  const ascii = (from: number, to: number) => String.fromCharCode(...b.subarray(from, to));
  if (b.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'image/webp';
  return null;
}

/** The reference a consumer is given: TS-{received day in China}-{number}, e.g. TS-20261123-000042. */
export function complaintReference(seq: string | number, receivedAt: Date): string {
  const day = new Date(receivedAt.getTime() + 8 * 3_600_000).toISOString().slice(0, 10).replace(/-/g, '');
  return `TS-${day}-${String(seq).padStart(6, '0')}`;
}

// received → investigating → closed; a complaint found groundless at once may be closed straight away.
const NEXT: Record<ComplaintStatus, readonly ComplaintStatus[]> = { received: ['investigating', 'closed'], investigating: ['closed'], closed: [] };
/** Whether a complaint may move from one status to another. */
export function canMove(from: ComplaintStatus, to: ComplaintStatus): boolean {
  return NEXT[from].includes(to);
}

/** A photo over MAX_PHOTO_BYTES (5 MB). */
export const photoTooLarge = () =>
  new DomainError('too_large', 'COMPLAINT_PHOTO_TOO_LARGE', '照片不能超过 5 MB', 'The photo must be at most 5 MB', { field: 'photo' });
