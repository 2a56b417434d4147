import type { z } from 'zod';
import type { Database } from '../platform/db.ts';
import { DomainError, invalid } from '../platform/errors.ts';
import { type Actor, ensure } from '../accounts/actor.ts';
import { ledgerPolicy } from '../accounts/policies.ts';
import { eventVisibility } from '../access/visibility.ts';
import { logQuery } from '../access/query-log.ts';
import { chinaDate } from '../catalog/catalog-fns.ts';
import { ensureOperatorActive, siteUri } from '../events/events-fns.ts';
import { readSheet, writeWorkbook } from '../registry/registry-import-file.ts';
import { rowCells, type HeaderMap } from '../registry/registry-import-fns.ts';
import { asRowRefusal } from '../registry/registry-import.ts';
import type { RecordResult, RecordsService } from '../records/records-service.ts';
import { ReceivingBody, SaleBody } from '../records/records-types.ts';
import {
  ledgerExportSpec, ledgerFieldOf, ledgerGoods, ledgerRequestIds, ledgerTemplateSpec, mapPurchaseHeader, mapSalesHeader, parsePurchaseRow,
  parseSalesRow, pickByName, receivingInput, saleInput, type PurchaseRow, type SalesRow,
} from './ledgers-fns.ts';
import { ledgersDal } from './ledgers-dal.ts';
import {
  PURCHASE_COLUMNS, SALES_COLUMNS, LEDGER_RECORD, type LedgerField, type LedgerImportResult, type LedgerKind,
} from './ledgers-types.ts';

export interface LedgersDeps {
  db: Database;
  /** Ledger rows become native records through the records service, with its checks and its requestId idempotency. */
  records: Pick<RecordsService, 'receiving' | 'sale'>;
}

/** Each row is its own transaction, so a file is bounded to keep one request short. */
const MAX_ROWS = 5000;
const MAX_EXPORT_ROWS = 50_000;

const LEDGER_COLUMNS = { purchase: PURCHASE_COLUMNS, sales: SALES_COLUMNS } as const;
const nextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/** A record's input checked against the records API's own schema (lengths, counts), as a POST would be. */
function validated<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw invalid('VALUE_INVALID', `内容不符合要求：${issue.message}`, `Invalid value: ${issue.message}`, { field: issue.path.join('.') });
}

/**
 * Electronic ledgers (电子台账) for small operators: purchase and sales ledgers imported from CSV or XLSX as native
 * receiving and sale records, their templates, and the operator's own records exported in the ledger layout.
 */
export function createLedgersService(deps: LedgersDeps) {
  const { db, records } = deps;
  const templates = new Map<LedgerKind, Promise<Buffer>>();

  /** The caller's own operator: ledgers are kept by its admin or staff (API keys included), never for another. */
  async function ownOperator(actor: Actor) {
    ensure(actor, ledgerPolicy.keep(actor));
    return (await ledgersDal(db.pool).operator(actor.operatorId!))!;
  }

  return {
    /** The XLSX template of a ledger (built once): headers, an example row that imports as it is, instructions. */
    template(kind: LedgerKind): Promise<Buffer> {
      let t = templates.get(kind);
      if (!t) templates.set(kind, (t = writeWorkbook(ledgerTemplateSpec(kind))));
      return t;
    },

    /**
     * Imports a ledger file: every valid row becomes a receiving (purchase) or sale (sales) record, each refused row
     * is reported with its spreadsheet row number, column and reason, and a row imported before adds nothing.
     * A file that cannot be read, or whose header lacks a required column, is refused whole.
     */
    async importLedger(actor: Actor, kind: LedgerKind, bytes: Uint8Array): Promise<LedgerImportResult> {
      const o = await ownOperator(actor);
      // The event store's rule, checked before the file is read: each row would be refused for it anyway.
      ensureOperatorActive(o);
      const sheet = await readSheet(bytes);
      const [headerRow, ...dataRows] = sheet.rows;
      if (!headerRow) throw invalid('IMPORT_EMPTY', '文件中没有内容', 'The file is empty', { field: 'file' });
      if (dataRows.length > MAX_ROWS) {
        throw new DomainError('too_large', 'LEDGER_TOO_MANY_ROWS', `一次最多导入 ${MAX_ROWS} 行，请分成几个文件`, `At most ${MAX_ROWS} rows per file; split the file`, { field: 'file', rows: dataRows.length });
      }
      const header: HeaderMap<LedgerField> = kind === 'purchase' ? mapPurchaseHeader(headerRow.cells) : mapSalesHeader(headerRow.cells);
      const result: LedgerImportResult = {
        ledger: kind, file: { format: sheet.format, encoding: sheet.encoding }, total: dataRows.length, stored: 0, unchanged: 0, failed: 0,
        errors: [], ignoredColumns: header.ignored, noUpstreamRecord: [],
      };
      const fail = (row: number, e: unknown, fieldOf: (field: unknown) => LedgerField | null) => {
        const refusal = asRowRefusal(e);
        const field = fieldOf(refusal.details.field);
        result.failed++;
        result.errors.push({ row, code: refusal.code, message: { zh: refusal.zh, en: refusal.en }, field, column: field ? header.columnOf[field] ?? null : null });
      };
      const known = new Set<string>(LEDGER_COLUMNS[kind].map((c) => c.field));
      const ownField = (field: unknown) => (typeof field === 'string' && known.has(field) ? field as LedgerField : null);
      const recordField = (field: unknown) => ledgerFieldOf(kind, field);

      const today = chinaDate(new Date());
      const parsed: Array<{ row: number; data: PurchaseRow | SalesRow }> = [];
      for (const { row, cells } of dataRows) {
        try {
          const c = rowCells(header, cells);
          parsed.push({ row, data: kind === 'purchase' ? parsePurchaseRow(c, today) : parseSalesRow(c, today) });
        } catch (e) {
          fail(row, e, ownField);
        }
      }

      const dal = ledgersDal(db.pool);
      const requestIds = ledgerRequestIds(o.id, kind, parsed.map((p) => p.data));
      // Rows the records service answered before (an earlier import) are unchanged whatever the catalog says today.
      const answered = parsed.length ? await dal.answeredRequests(o.id, requestIds) : new Set<string>();
      const pending = parsed.map((p, i) => ({ ...p, requestId: requestIds[i] })).filter((p) => !answered.has(p.requestId));
      result.unchanged += parsed.length - pending.length;

      const sites = pending.length ? await dal.sites(o.id) : [];
      const purchases = kind === 'purchase' ? pending.map((p) => p.data as PurchaseRow) : [];
      const products = purchases.some((r) => !r.upstreamCode) ? await dal.products(o.id) : [];
      const usccs = [...new Set(purchases.filter((r) => !r.upstreamCode && r.supplierUscc).map((r) => r.supplierUscc!))];
      const registered = usccs.length ? await dal.registeredUsccs(usccs) : new Set<string>();
      // The named site, else the operator's only one; goods with no upstream record need one (SITE_REQUIRED).
      const siteOf = (name: string | null) => (name ? pickByName(sites, name, 'site').id : sites.length === 1 ? sites[0].id : undefined);

      // Each row is one call of the records service, which runs it in its own transaction: a row is stored whole
      // (event, local batch and code, requestId) or not at all, and a refused row rolls back alone. An unexpected
      // failure (a lost connection) stops the import; re-running the file finishes it, as stored rows come back unchanged.
      for (const p of pending) {
        let record: () => Promise<RecordResult>;
        try {
          if (kind === 'purchase') {
            const r = p.data as PurchaseRow;
            const productId = r.upstreamCode ? undefined : pickByName(products, r.product, 'product').id;
            const input = receivingInput(r, { requestId: p.requestId, siteId: siteOf(r.site), productId, supplierRegistered: !!r.supplierUscc && registered.has(r.supplierUscc) });
            record = () => records.receiving(actor, validated(ReceivingBody, input), { source: 'ledger' });
          } else {
            const input = saleInput(p.data as SalesRow, { requestId: p.requestId, siteId: siteOf(p.data.site) });
            record = () => records.sale(actor, validated(SaleBody, input), { source: 'ledger' });
          }
        } catch (e) {
          fail(p.row, e, ownField);
          continue;
        }
        let out: RecordResult;
        try {
          out = await record();
        } catch (e) {
          fail(p.row, e, recordField);
          continue;
        }
        if (out.replayed || out.event.duplicate) { result.unchanged++; continue; }
        result.stored++;
        const local = out.batches[0];
        if (local?.batchCode) result.noUpstreamRecord.push({ row: p.row, batchId: local.id, batchCode: local.batchCode.code });
      }
      result.errors.sort((a, b) => a.row - b.row);
      return result;
    },

    /**
     * The operator's own receiving (purchase) or sale (sales) records with event day in [from, to] (China time) as
     * an XLSX ledger, under the visibility rule and recorded in the query log.
     */
    async exportLedger(actor: Actor, kind: LedgerKind, range: { from?: string; to?: string }): Promise<Buffer> {
      const o = await ownOperator(actor);
      if (range.from && range.to && range.from > range.to) {
        throw invalid('RANGE_INVALID', '起始日期不能晚于截止日期', 'The start date cannot be after the end date', { field: 'from' });
      }
      const dal = ledgersDal(db.pool);
      const window = { from: range.from ? `${range.from}T00:00:00+08:00` : null, to: range.to ? `${nextDay(range.to)}T00:00:00+08:00` : null };
      const rows = await dal.records(o.id, LEDGER_RECORD[kind], window, eventVisibility(actor, 'e', 6), MAX_EXPORT_ROWS + 1);
      if (rows.length > MAX_EXPORT_ROWS) {
        throw new DomainError('too_large', 'LEDGER_EXPORT_TOO_LARGE', `超过 ${MAX_EXPORT_ROWS} 条记录，请缩小日期范围`, `More than ${MAX_EXPORT_ROWS} records; narrow the date range`, { field: 'from' });
      }
      const siteNames = new Map((await dal.sites(o.id)).map((s) => [siteUri(s.id), s.name]));
      const codes = [...new Set(rows.flatMap((r) => ledgerGoods(r.body).map((g) => g.code)))];
      const products = codes.length ? await dal.productNames(codes) : new Map<string, string>();
      await logQuery(db.pool, actor, {
        kind: `ledger.${kind}`, query: { from: range.from ?? null, to: range.to ?? null }, resultCount: rows.length, subjectDivision: o.division_code,
      });
      const events = rows.map((r) => ({
        eventId: r.event_id, eventTime: r.event_time, body: r.body, siteName: (r.biz_location && siteNames.get(r.biz_location)) || null,
        counterparty: r.counterparty_uscc ? { name: r.counterparty_name!, uscc: r.counterparty_uscc.trim() } : null,
      }));
      return writeWorkbook(ledgerExportSpec(kind, events, (code) => products.get(code) ?? null));
    },
  };
}
export type LedgersService = ReturnType<typeof createLedgersService>;
