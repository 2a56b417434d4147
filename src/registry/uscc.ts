/**
 * 统一社会信用代码 (Unified Social Credit Code), GB 32100-2015.
 * 18 characters: registration authority (1), organisation type (1), division code (6),
 * organisation code body (9), check character (1). Alphabet excludes I, O, Z, S, V.
 */
export const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = Array.from({ length: 17 }, (_, i) => 3 ** i % 31);

export type UsccProblem = 'USCC_LENGTH' | 'USCC_CHARSET' | 'USCC_CHECKSUM';

/** The check character for the first 17 characters of a USCC. */
export function usccCheckChar(body17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC_ALPHABET.indexOf(body17[i]) * WEIGHTS[i];
  const c = 31 - (sum % 31);
  return USCC_ALPHABET[c === 31 ? 0 : c];
}

/** Upper-cases and strips spaces, the forms people type codes in. */
export function normaliseUscc(input: string): string {
  return input.replace(/[\s-]/g, '').toUpperCase();
}

/** Checks a (normalised) USCC; returns null when valid or the first problem found. */
export function checkUscc(uscc: string): UsccProblem | null {
  if (uscc.length !== 18) return 'USCC_LENGTH';
  for (const ch of uscc) if (!USCC_ALPHABET.includes(ch)) return 'USCC_CHARSET';
  if (usccCheckChar(uscc.slice(0, 17)) !== uscc[17]) return 'USCC_CHECKSUM';
  return null;
}

/** The division code embedded in a USCC (characters 3–8). */
export function usccDivision(uscc: string): string {
  return uscc.slice(2, 8);
}
