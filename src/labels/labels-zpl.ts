import QRCode from 'qrcode';
import { invalid } from '../platform/errors.ts';
import { assertQrFits, fitBlock, fitLines, labelText, qrPayload, QR_QUIET_MODULES, THERMAL_LABEL_MM } from './label-fns.ts';
import type { LabelRecord } from './label-types.ts';

/** The printer-resident Chinese font used unless the caller names another: an assumption about the printers, not a ZPL built-in. */
export const DEFAULT_ZPL_CJK_FONT = 'E:SIMSUN.FNT';
/** A printer object name (drive, 1–16 characters, font extension): nothing that could smuggle a command into ^A@. */
const FONT_NAME = /^[REBA]:[A-Z0-9_]{1,16}\.(FNT|TTF|TTE)$/i;

const PAD_MM = 2;
/** Product name heights in mm, largest first, as in the PDF (9 pt and 8 pt). */
const NAME_MM = [3.2, 2.8];
const DETAIL_MM = 2.5;
const CODE_MAX_MM = 4.9;
/** Advance of a capital or digit in font 0, as a share of its height; generous, so the code never runs off the label. */
const FONT0_ADVANCE = 0.6;

export interface ZplOptions {
  dpi?: 203 | 300;
  /** The downloaded CJK font for the product name and details, e.g. `E:SIMSUN.FNT` or `E:ANMDS.TTF`. */
  cjkFont?: string;
}

/** Renders one ZPL II format (^XA … ^XZ) per label for 60 × 40 mm thermal stock. */
export function renderLabelsZpl(labels: LabelRecord[], opts: ZplOptions = {}): string {
  const dpi = opts.dpi ?? 203;
  const font = opts.cjkFont ?? DEFAULT_ZPL_CJK_FONT;
  if (!FONT_NAME.test(font)) {
    throw invalid('ZPL_FONT_NAME', '打印机字体名称无效', 'The printer font name is not a valid ZPL object name', { cjkFont: font });
  }
  return labels.map((label) => formatLabel(label, dpi, font)).join('');
}

function formatLabel(label: LabelRecord, dpi: number, font: string): string {
  const dots = (mm: number) => Math.round((mm * dpi) / 25.4);
  const width = dots(THERMAL_LABEL_MM.width);
  const height = dots(THERMAL_LABEL_MM.height);
  const pad = dots(PAD_MM);
  const out = ['^XA', '^CI28', `^PW${width}`, `^LL${height}`, '^LH0,0'];

  // The QR with its quiet zone takes a square of at most half the label, as in the PDF.
  const box = Math.min(height, Math.floor(width / 2));
  const payload = qrPayload(label.qrUrl);
  // Sized as if all byte mode, the most modules the printer's automatic mode could choose, so the symbol always fits.
  const modules = QRCode.create([{ data: Buffer.from(payload), mode: 'byte' }], { errorCorrectionLevel: 'M' }).modules.size;
  const mag = Math.min(10, Math.floor(box / (modules + 2 * QR_QUIET_MODULES)));
  assertQrFits((mag * 25.4) / dpi, label.qrUrl);
  const side = modules * mag;
  // MA,: error correction M, automatic input; the payload is printable ASCII, which automatic mode requires.
  out.push(`^FO${Math.floor((box - side) / 2)},${Math.floor((height - side) / 2)}^BQN,2,${mag},M${field(`MA,${payload}`)}`);

  const text = labelText(label);
  const left = box;
  const textWidth = width - pad - left;
  // ZPL has no Chinese glyphs: ^CI28 sends UTF-8 and ^A@ names a CJK font downloaded to the printer (see DEFAULT_ZPL_CJK_FONT).
  const cjk = (h: number, x: number, y: number, line: string) => `^FO${x},${y}^A@N,${h},${h},${font}${field(line)}`;

  const name = fitBlock(text.name, textWidth, 2, NAME_MM.map(dots), cjkWidth);
  const nameLead = Math.round(name.size * 1.2);
  name.lines.forEach((line, i) => out.push(cjk(name.size, left, pad + i * nameLead, line)));
  const nameBottom = pad + nameLead * name.lines.length;

  const detail = dots(DETAIL_MM);
  const detailLead = Math.round(detail * 1.25);
  const detailsTop = height - pad - detailLead * text.details.length;
  text.details.forEach((d, i) => {
    const line = fitLines(d, textWidth, 1, (s) => cjkWidth(s, detail))[0];
    out.push(cjk(detail, left, detailsTop + i * detailLead, line));
  });

  const longest = Math.max(...text.code.map((l) => l.length), 1);
  const code = Math.min(dots(CODE_MAX_MM), Math.floor(textWidth / (longest * FONT0_ADVANCE)));
  const codeLead = Math.round(code * 1.15);
  const codeTop = Math.round((nameBottom + detailsTop - codeLead - code) / 2);
  text.code.forEach((line, i) => out.push(`^FO${left},${codeTop + i * codeLead}^A0N,${code},${code}${field(line)}`));

  out.push('^XZ');
  return out.join('\n') + '\n';
}

/** Width in dots of a line in a CJK font at height `h`: ideographs fill the em square, ASCII takes half of it. */
function cjkWidth(s: string, h: number): number {
  let ems = 0;
  for (const ch of s) ems += ch.codePointAt(0)! < 0x7f ? 0.5 : 1;
  return ems * h;
}

/**
 * Field data with ^FH: ^ and ~ (the command prefixes) and _ (the hex indicator itself) become _5E, _7E and _5F and control
 * characters are dropped, so label data can never end its field or start a command.
 */
function field(data: string): string {
  const safe = data.replace(/\p{Cc}/gu, '').replace(/[\^~_]/g, (ch) => `_${ch.charCodeAt(0).toString(16).toUpperCase()}`);
  return `^FH_^FD${safe}^FS`;
}
