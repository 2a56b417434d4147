import { readFile } from 'node:fs/promises';
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import { invalid } from '../platform/errors.ts';
import { assertQrFits, fitBlock, fitLines, labelText, qrPayload, QR_QUIET_MODULES, THERMAL_LABEL_MM } from './label-fns.ts';
import type { LabelRecord } from './label-types.ts';

const MM = 72 / 25.4;
const A4: [number, number] = [595.28, 841.89];
const A4_MARGIN = 10 * MM;
const A4_COLUMNS = 3;
const A4_ROWS = 8;
/** Inner padding of a label, so a cut a little off the line never touches text. */
const PAD = 2 * MM;
/** Product name sizes, largest first: a name a little too long for one line is set smaller rather than wrapped. */
const NAME_PT = [9, 8];
const DETAIL_PT = 6.5;
const CODE_MAX_PT = 14;
/** Line spacing of the name, the details and the code, in em. */
const NAME_LEAD = 1.25;
const DETAIL_LEAD = 1.3;
const CODE_LEAD = 1.1;
/** Noto Sans CJK's ascender: from a line's top to its baseline, in em. */
const CJK_ASCENT = 0.88;
/** Courier advances every glyph by 0.6 em, which is what sizes the code to the space it has. */
const COURIER_ADVANCE = 0.6;
/** Courier-Bold's cap height (AFM), for centring the code by what is actually inked. */
const COURIER_CAP = 0.562;
const CODE_FONT = 'Courier-Bold';
const CJK = 'cjk';

// The package exports only its JS entry, so the font is located relative to it rather than by a subpath.
const FONT_URL = new URL('../fonts/NotoSansHans-Regular.otf', import.meta.resolve('@embedpdf/fonts-sc'));
let fontBytes: Promise<Buffer> | undefined;

interface Sheet {
  size: [number, number];
  columns: number;
  rows: number;
  /** Top-left corner of the label grid. */
  x: number;
  y: number;
  cellWidth: number;
  cellHeight: number;
  /** Whether to draw cut lines between labels. */
  guides: boolean;
}

const SHEETS: Record<'a4' | 'thermal', Sheet> = {
  a4: {
    size: A4, columns: A4_COLUMNS, rows: A4_ROWS, x: A4_MARGIN, y: A4_MARGIN,
    cellWidth: (A4[0] - 2 * A4_MARGIN) / A4_COLUMNS, cellHeight: (A4[1] - 2 * A4_MARGIN) / A4_ROWS, guides: true,
  },
  thermal: {
    size: [THERMAL_LABEL_MM.width * MM, THERMAL_LABEL_MM.height * MM], columns: 1, rows: 1, x: 0, y: 0,
    cellWidth: THERMAL_LABEL_MM.width * MM, cellHeight: THERMAL_LABEL_MM.height * MM, guides: false,
  },
};

/** Renders labels as a PDF: an A4 sheet of 3 × 8 labels to cut, or one 60 × 40 mm page per label for thermal printers. */
export async function renderLabelsPdf(labels: LabelRecord[], layout: 'a4' | 'thermal'): Promise<Buffer> {
  if (labels.length === 0) throw invalid('LABELS_EMPTY', '没有要打印的标签', 'There are no labels to render');
  const sheet = SHEETS[layout];
  const doc = new PDFDocument({
    autoFirstPage: false,
    font: CODE_FONT, // the default Helvetica is never used, so it is not set up
    info: { Title: '溯源标签 Suyuan labels', Creator: 'Suyuan' },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont(CJK, await (fontBytes ??= readFile(FONT_URL)));
  const perPage = sheet.columns * sheet.rows;
  labels.forEach((label, i) => {
    const slot = i % perPage;
    if (slot === 0) {
      doc.addPage({ size: sheet.size, margin: 0 });
      if (sheet.guides) drawGuides(doc, sheet);
    }
    const x = sheet.x + (slot % sheet.columns) * sheet.cellWidth;
    const y = sheet.y + Math.floor(slot / sheet.columns) * sheet.cellHeight;
    drawLabel(doc, label, x, y, sheet.cellWidth, sheet.cellHeight);
  });
  doc.end();
  return done;
}

/** Light dashed cut lines along the whole grid, drawn once per page. */
function drawGuides(doc: PDFKit.PDFDocument, s: Sheet): void {
  const right = s.x + s.columns * s.cellWidth;
  const bottom = s.y + s.rows * s.cellHeight;
  for (let c = 0; c <= s.columns; c++) doc.moveTo(s.x + c * s.cellWidth, s.y).lineTo(s.x + c * s.cellWidth, bottom);
  for (let r = 0; r <= s.rows; r++) doc.moveTo(s.x, s.y + r * s.cellHeight).lineTo(right, s.y + r * s.cellHeight);
  doc.save().lineWidth(0.3).dash(2, { space: 2 }).stroke('#b0b0b0').restore();
}

/** One label in the box at (x, y): the QR code on the left, text on the right. */
function drawLabel(doc: PDFKit.PDFDocument, label: LabelRecord, x: number, y: number, w: number, h: number): void {
  const box = Math.min(h, w / 2); // the QR with its quiet zone takes a square of at most half the label
  drawQr(doc, label.qrUrl, x, y + (h - box) / 2, box);

  const text = labelText(label);
  const left = x + box;
  const width = x + w - PAD - left;
  const top = y + PAD;
  const bottom = y + h - PAD;

  // All text is solid black: grey would be dithered by a thermal head and small Chinese strokes would break up.
  doc.font(CJK).fillColor('black');
  const name = fitBlock(text.name, width, 2, NAME_PT, (s, size) => doc.fontSize(size).widthOfString(s));
  doc.fontSize(name.size);
  name.lines.forEach((line, i) => baselineText(doc, line, left, top + name.size * (CJK_ASCENT + NAME_LEAD * i)));
  const nameBottom = top + name.size * NAME_LEAD * name.lines.length;

  doc.fontSize(DETAIL_PT);
  const details = text.details.map((d) => fitLines(d, width, 1, (s) => doc.widthOfString(s))[0]);
  const detailsTop = bottom - DETAIL_PT * DETAIL_LEAD * details.length;
  details.forEach((line, i) => baselineText(doc, line, left, detailsTop + DETAIL_PT * (DETAIL_LEAD * i + 1)));

  // The code is centred, by its cap height, in whatever space the name and the details leave.
  const longest = Math.max(...text.code.map((l) => l.length), 1);
  const codePt = Math.min(CODE_MAX_PT, width / (longest * COURIER_ADVANCE));
  const lead = codePt * CODE_LEAD;
  const cap = codePt * COURIER_CAP;
  const firstBaseline = (nameBottom + detailsTop) / 2 - (lead + cap) / 2 + cap;
  doc.font(CODE_FONT).fontSize(codePt);
  text.code.forEach((line, i) => baselineText(doc, line, left, firstBaseline + lead * i));
}

/** Places one line with its baseline at `y`, never wrapping: lines are fitted before they get here. */
function baselineText(doc: PDFKit.PDFDocument, line: string, x: number, y: number): void {
  doc.text(line, x, y, { lineBreak: false, baseline: 'alphabetic' });
}

/** The QR symbol as filled vector rectangles, one per horizontal run of dark modules, centred in a `box`-sized square. */
function drawQr(doc: PDFKit.PDFDocument, url: string, x: number, y: number, box: number): void {
  const { modules } = QRCode.create(qrPayload(url), { errorCorrectionLevel: 'M' });
  const n = modules.size;
  const m = box / (n + 2 * QR_QUIET_MODULES);
  assertQrFits(m / MM, url);
  const origin = (box - n * m) / 2;
  // Scaled to one unit per module, the path is small integers: a fraction of the bytes, identical geometry.
  doc.save().translate(x + origin, y + origin).scale(m);
  for (let row = 0; row < n; row++) {
    let col = 0;
    while (col < n) {
      if (!modules.get(row, col)) { col++; continue; }
      const start = col;
      while (col < n && modules.get(row, col)) col++;
      doc.rect(start, row, col - start, 1);
    }
  }
  doc.fill('black').restore();
}
