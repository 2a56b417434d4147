import { invalid } from '../platform/errors.ts';
import type { LabelRecord } from './label-types.ts';

/** Thermal label stock, in millimetres. */
export const THERMAL_LABEL_MM = { width: 60, height: 40 } as const;
/** White modules required on every side of a QR symbol (ISO/IEC 18004 quiet zone). */
export const QR_QUIET_MODULES = 4;
/** The smallest QR module, in millimetres, that phone cameras still read reliably off a label. */
export const MIN_QR_MODULE_MM = 0.3;
/** The ellipsis that ends a line of text cut short. */
const ELLIPSIS = '…';

/** What a label says, before it is fitted to a size. */
export interface LabelText {
  name: string;
  /** The display code in two lines of two groups, short enough to print large. */
  code: [string, string];
  /** Lot, production date and operator, one per line, only those that are known. */
  details: string[];
}

/** Control characters dropped and runs of white space folded, so no field can break a line or a printer command. */
export function cleanText(s: string): string {
  return s.replace(/[\s\p{Cc}]+/gu, ' ').trim();
}

/** The text of one label. */
export function labelText(label: LabelRecord): LabelText {
  const groups = cleanText(label.display).split(' ');
  const half = Math.ceil(groups.length / 2);
  const details = [
    label.lot ? `批号 ${cleanText(label.lot)}` : '',
    label.producedOn ? `生产日期 ${cleanText(label.producedOn)}` : '',
    cleanText(label.operatorName),
  ];
  return {
    name: cleanText(label.productName),
    code: [groups.slice(0, half).join(' '), groups.slice(half).join(' ')],
    details: details.filter((d) => d !== ''),
  };
}

/** The QR payload: the URL with everything outside printable ASCII percent-encoded (UTF-8), so every encoder writes the same bytes. */
export function qrPayload(url: string): string {
  return url.replace(/[^\x21-\x7e]/gu, (ch) =>
    [...Buffer.from(ch, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''));
}

/** Throws when a label's QR symbol would need modules smaller than {@link MIN_QR_MODULE_MM}. */
export function assertQrFits(moduleMm: number, url: string): void {
  if (moduleMm < MIN_QR_MODULE_MM) {
    throw invalid('LABEL_QR_TOO_LONG', '二维码内容过长，标签上无法清晰打印', 'The QR content is too long to print legibly on the label', {
      qrUrl: url, moduleMm: Number(moduleMm.toFixed(3)),
    });
  }
}

/** Whether a break before `chars[at]` would cut a Latin word or a number (Han characters each stand alone). */
function splitsWord(chars: string[], at: number): boolean {
  const inWord = (ch: string) => /[\p{L}\p{N}]/u.test(ch) && !/\p{sc=Han}/u.test(ch);
  return inWord(chars[at - 1]) && inWord(chars[at]);
}

/**
 * Breaks `text` into at most `maxLines` lines no wider than `maxWidth` (as `width` measures); Chinese breaks between any two
 * characters, Latin words and numbers only at spaces unless one is longer than a line. Text left over ends in an ellipsis.
 */
export function fitLines(text: string, maxWidth: number, maxLines: number, width: (s: string) => number): string[] {
  return breakLines(text, maxWidth, maxLines, width).lines;
}

/** The text at the largest of `sizes` that fits it in the fewest lines, or at the first size cut short with an ellipsis. */
export function fitBlock(
  text: string, maxWidth: number, maxLines: number, sizes: number[], width: (s: string, size: number) => number,
): { size: number; lines: string[] } {
  for (let lines = 1; lines <= maxLines; lines++) {
    for (const size of sizes) {
      const fitted = breakLines(text, maxWidth, lines, (s) => width(s, size));
      if (!fitted.cut) return { size, lines: fitted.lines };
    }
  }
  return { size: sizes[0], lines: fitLines(text, maxWidth, maxLines, (s) => width(s, sizes[0])) };
}

function breakLines(text: string, maxWidth: number, maxLines: number, width: (s: string) => number): { lines: string[]; cut: boolean } {
  const chars = [...text];
  const fits = (from: number, to: number) => width(chars.slice(from, to).join('')) <= maxWidth;
  const lines: string[] = [];
  let i = 0;
  while (i < chars.length && lines.length < maxLines) {
    let end = i + 1; // one glyph per line at least, or a glyph wider than the line would loop forever
    while (end < chars.length && fits(i, end + 1)) end++;
    let soft = end;
    while (soft > i + 1 && soft < chars.length && splitsWord(chars, soft)) soft--;
    if (soft < chars.length && !splitsWord(chars, soft)) end = soft;
    lines.push(chars.slice(i, end).join('').trimEnd());
    i = end;
    while (chars[i] === ' ') i++;
  }
  const cut = i < chars.length;
  if (cut) {
    const last = [...lines[lines.length - 1]];
    while (last.length > 0 && width(last.join('').trimEnd() + ELLIPSIS) > maxWidth) last.pop();
    lines[lines.length - 1] = last.join('').trimEnd() + ELLIPSIS;
  }
  return { lines, cut };
}
