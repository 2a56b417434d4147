import type { SheetColumn } from '../registry/registry-import-fns.ts';

/**
 * Electronic ledgers (电子台账): the purchase ledger (进货台账) and the sales ledger (销售台账) that small
 * operators keep in spreadsheets. Each row becomes a native record (receiving, sale); this is their vocabulary.
 */

export const LEDGER_KINDS = ['purchase', 'sales'] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];
/** The native record each ledger's rows become. */
export const LEDGER_RECORD = { purchase: 'receiving', sales: 'sale' } as const satisfies Record<LedgerKind, string>;
/** Ledger names for sheets, files and messages. */
export const LEDGER_NAMES: Record<LedgerKind, { zh: string; en: string }> = {
  purchase: { zh: '进货台账', en: 'purchase ledger' },
  sales: { zh: '销售台账', en: 'sales ledger' },
};

export type PurchaseField =
  | 'date' | 'supplierName' | 'supplierUscc' | 'product' | 'quantity' | 'unit' | 'upstreamCode'
  | 'certificateNumbers' | 'certificateType' | 'invoiceNumbers' | 'site';
export type SalesField = 'date' | 'buyerName' | 'buyerUscc' | 'traceCode' | 'product' | 'quantity' | 'unit' | 'amount' | 'invoiceNo' | 'site';
export type LedgerField = PurchaseField | SalesField;

/** A ledger column: how the import reads it, and how the template writes and explains it. */
export interface LedgerColumn<F extends string> extends SheetColumn<F> {
  /** Text keeps codes and numbers as typed in spreadsheet programs; date formats the cell as a date. */
  format?: 'text' | 'date';
  note: string;
}

/** The purchase ledger's columns in template order; `field` is also the English header. */
export const PURCHASE_COLUMNS: readonly LedgerColumn<PurchaseField>[] = [
  { field: 'date', zh: '进货日期', required: true, format: 'date', aliases: ['日期', '购进日期', '进货时间', 'purchaseDate'],
    note: '2024-05-01、2024/5/1 或 Excel 日期，不能晚于今天 / 2024-05-01, 2024/5/1 or an Excel date, not in the future' },
  { field: 'supplierName', zh: '供货者名称', required: true, maxLength: 200, aliases: ['供货者', '供货单位', '供货商', '供应商', '供货方', 'supplier'],
    note: '供货的单位或个人 / the supplying business or person' },
  { field: 'supplierUscc', zh: '供货者统一社会信用代码', format: 'text', aliases: ['供货者信用代码', '供应商统一社会信用代码', '统一社会信用代码', 'supplierCreditCode'],
    note: '18 位；有上游追溯码时必填，且供货者须已在平台登记 / 18 characters; required with an upstream trace code, and the supplier must be registered' },
  { field: 'product', zh: '产品名称', required: true, maxLength: 200, aliases: ['品名', '商品名称', '产品', 'productName'],
    note: '无上游追溯码时须与本主体产品目录中的名称一致 / without an upstream code it must match a product name in your catalog' },
  { field: 'quantity', zh: '数量', required: true, aliases: ['进货数量', 'qty'], note: '正数，最多 3 位小数 / a positive number, at most 3 decimals' },
  { field: 'unit', zh: '单位', maxLength: 20, aliases: ['计量单位'], note: '如 kg、斤、箱；不填则用批次或产品的单位 / e.g. kg, 斤, 箱; defaults to the batch or product unit' },
  { field: 'upstreamCode', zh: '上游追溯码', format: 'text', maxLength: 2048, aliases: ['追溯码', '溯源码', '产品追溯码', 'traceCode', 'code'],
    note: '供货者提供的追溯码或扫码网址；不填时平台为这批货生成本地批次和追溯码，并标记为“无上游记录” / the code or scan URL from the supplier; without one the platform creates a local batch and code, flagged "no upstream record"' },
  { field: 'certificateNumbers', zh: '合格证明编号', format: 'text', aliases: ['合格证编号', '合格证号', '合格证明', 'certificates', 'certificateNo'],
    note: '多个用 、 , ; 分隔；按供货者开具、进货日期登记 / several separated by 、 , ; recorded as issued by the supplier on the purchase date' },
  { field: 'certificateType', zh: '合格证明类型', aliases: ['合格证类型', 'certificateKind'],
    note: '承诺达标合格证（默认）、动物检疫合格证明、肉品品质检验合格证 / commitment (default), animal_quarantine, meat_quality' },
  { field: 'invoiceNumbers', zh: '票据编号', format: 'text', aliases: ['发票号', '发票编号', '发票号码', '票据号', '票据', 'invoices', 'invoiceNo'],
    note: '进货发票或票据号，多个用 、 , ; 分隔 / invoice or receipt numbers, several separated by 、 , ;' },
  { field: 'site', zh: '收货场所', maxLength: 200, aliases: ['场所', '收货地点', 'siteName'],
    note: '本主体的场所名称；只有一个场所时可不填 / the name of one of your sites; may be left empty when you have only one' },
];

/** The sales ledger's columns in template order; `field` is also the English header. */
export const SALES_COLUMNS: readonly LedgerColumn<SalesField>[] = [
  { field: 'date', zh: '销售日期', required: true, format: 'date', aliases: ['日期', '销货日期', '销售时间', 'saleDate'],
    note: '2024-05-01、2024/5/1 或 Excel 日期，不能晚于今天 / 2024-05-01, 2024/5/1 or an Excel date, not in the future' },
  { field: 'buyerName', zh: '购货者名称', maxLength: 200, aliases: ['购货者', '购货单位', '购买方', '买方', '客户', '客户名称', 'buyer', 'customer'],
    note: '卖给消费者时写“散客”或不填 / write 散客 (or nothing) for a sale to consumers' },
  { field: 'buyerUscc', zh: '购货者统一社会信用代码', format: 'text', aliases: ['购货者信用代码', '客户统一社会信用代码', '统一社会信用代码', 'buyerCreditCode'],
    note: '卖给经营主体时必填，购货者须已在平台登记 / required for a sale to a business, which must be registered' },
  { field: 'traceCode', zh: '追溯码', required: true, format: 'text', maxLength: 2048, aliases: ['批次追溯码', '产品追溯码', '溯源码', 'code', 'batchCode'],
    note: '所售批次或单品的追溯码或扫码网址 / the trace code or scan URL of the batch or item sold' },
  { field: 'product', zh: '产品名称', maxLength: 200, aliases: ['品名', '商品名称', '产品', 'productName'], note: '供核对；货品以追溯码为准 / for your reference; the trace code names the goods' },
  { field: 'quantity', zh: '数量', required: true, aliases: ['销售数量', 'qty'], note: '批次码须填正数；单品码为 1 或不填 / a positive number for a batch code; 1 or empty for an item code' },
  { field: 'unit', zh: '单位', maxLength: 20, aliases: ['计量单位'], note: '不填则用批次的单位 / defaults to the batch unit' },
  { field: 'amount', zh: '金额（元）', aliases: ['金额', '价格', '售价', '销售金额', 'price'], note: '本行合计金额（元），最多两位小数 / the row total in yuan, at most 2 decimals' },
  { field: 'invoiceNo', zh: '发票号', format: 'text', maxLength: 64, aliases: ['发票号码', '发票编号', '票据编号', '票据号', 'invoice', 'invoiceNumber'], note: '可不填 / optional' },
  { field: 'site', zh: '销售场所', maxLength: 200, aliases: ['场所', '销售地点', 'siteName'],
    note: '本主体的场所名称；只有一个场所时可不填 / the name of one of your sites; may be left empty when you have only one' },
];

/** One refused row: its spreadsheet row number (header = 1), the column to fix, and why. */
export interface LedgerRowError {
  row: number;
  code: string;
  message: { zh: string; en: string };
  field: LedgerField | null;
  /** The header of that column as written in the file. */
  column: string | null;
}

/** What a ledger import did. */
export interface LedgerImportResult {
  ledger: LedgerKind;
  file: { format: 'csv' | 'xlsx'; encoding: string | null };
  /** Non-blank data rows. */
  total: number;
  /** Rows recorded now. */
  stored: number;
  /** Rows recorded by an earlier import of the same row (a re-run): nothing was added. */
  unchanged: number;
  failed: number;
  /** Ordered by row. */
  errors: LedgerRowError[];
  /** Header texts that matched no column; their values were not imported. */
  ignoredColumns: string[];
  /** Purchase rows stored without an upstream record, each with the local batch and code created for it (to label). */
  noUpstreamRecord: Array<{ row: number; batchId: string; batchCode: string }>;
}
