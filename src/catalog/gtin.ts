/** GS1 GTIN (8, 12, 13 or 14 digits) with the mod-10 check digit; stored as GTIN-14. */
export type GtinProblem = 'GTIN_FORMAT' | 'GTIN_CHECKSUM';

/** GS1 mod-10 check digit of the digits before it (weights 3,1,3,... from the right). */
export function gs1CheckDigit(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    const d = body.charCodeAt(body.length - 1 - i) - 48;
    sum += d * (i % 2 === 0 ? 3 : 1);
  }
  return (10 - (sum % 10)) % 10;
}

/** Returns null for a valid GTIN, else the problem. */
export function checkGtin(gtin: string): GtinProblem | null {
  if (!/^(\d{8}|\d{12}|\d{13}|\d{14})$/.test(gtin)) return 'GTIN_FORMAT';
  return gs1CheckDigit(gtin.slice(0, -1)) === Number(gtin.at(-1)) ? null : 'GTIN_CHECKSUM';
}

/** Left-pads a valid GTIN to 14 digits, the form used in Digital Link and EPC URIs. */
export function toGtin14(gtin: string): string {
  return gtin.padStart(14, '0');
}
