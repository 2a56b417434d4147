import type { Database, Queryable } from '../platform/db.ts';
import { DomainError, invalid } from '../platform/errors.ts';
import { type Actor, ensure } from '../accounts/actor.ts';
import { operatorPolicy } from '../accounts/policies.ts';
import type { RegistryService } from './registry-service.ts';
import { readSheet } from './registry-import-file.ts';
import { mapHeader, prepareRow, rowCells, rowUscc, type HeaderMap, type ImportField, type PreparedRow } from './registry-import-fns.ts';
import { checkUscc } from './uscc.ts';

/** One refused row: its spreadsheet row number (header = 1), what was wrong, and the column to fix. */
export interface ImportRowError {
  row: number;
  uscc: string | null;
  code: string;
  message: { zh: string; en: string };
  field: ImportField | null;
  /** The header of that column as written in the file. */
  column: string | null;
  /** OPERATOR_EXISTS: the registration already on the platform. */
  existing?: { id: string; name: string; uscc: string; status: string };
  /** DUPLICATE_IN_FILE: the earlier row with the same USCC. */
  firstRow?: number;
}

/** What an import did; `errors` lists every refused row. */
export interface ImportResult {
  file: { format: 'csv' | 'xlsx'; encoding: string | null };
  /** Non-blank data rows. */
  total: number;
  inserted: number;
  /** Already imported with identical content (a re-run of the same file). */
  unchanged: number;
  failed: number;
  /** Ordered by row. */
  errors: ImportRowError[];
  /** Header texts that matched no known column; their values were not imported. */
  ignoredColumns: string[];
}

/** Reported after each committed chunk. */
export interface ImportProgress { done: number; total: number; inserted: number; unchanged: number; failed: number }

interface Candidate extends PreparedRow { row: number }
type Outcome = { row: number; kind: 'inserted' | 'unchanged' } | { row: number; kind: 'failed'; error: ImportRowError };

const CHUNK_ROWS = 500;
const PARALLEL_CHUNKS = 4;

/** Bulk import of historical operator registrations (历史备案导入) from CSV or XLSX. */
export function createRegistryImport(deps: { db: Database; registry: Pick<RegistryService, 'insertOperator'> }) {
  const { db, registry } = deps;

  function rowError(row: number, uscc: string, e: DomainError, header: HeaderMap): ImportRowError {
    const field = (e.details.field as ImportField | undefined) ?? null;
    const out: ImportRowError = { row, uscc: uscc || null, code: e.code, message: { zh: e.zh, en: e.en }, field, column: field ? header.columnOf[field] ?? null : null };
    if (e.details.existing) out.existing = e.details.existing as ImportRowError['existing'];
    if (typeof e.details.firstRow === 'number') out.firstRow = e.details.firstRow;
    return out;
  }

  /**
   * Inserts one chunk in one transaction. Rows already validated rarely fail, so the chunk first runs without
   * savepoints; a row that is refused anyway sends the chunk back to run again with each row under its own
   * SAVEPOINT, where a refused row rolls back alone while the rest commits. Rows whose USCC is known to exist
   * get a savepoint from the start. (A transaction per row would cost a commit per row; one transaction for
   * the whole file would hold 600k rows of locks, and a crash would lose them all. With chunks a crash loses
   * at most the open ones, and re-running the file finishes the job: committed rows come back as unchanged.)
   */
  async function insertChunk(actor: Actor, chunk: Candidate[], header: HeaderMap, careful: boolean): Promise<Outcome[]> {
    return db.tx(async (q: Queryable) => {
      // One round trip tells which rows are re-imports of the same content and which USCCs are taken.
      const known = await q.query<{ uscc: string; content_hash: string | null }>(
        'SELECT uscc, content_hash FROM operators WHERE uscc = ANY($1::bpchar[])', [chunk.map((c) => c.input.uscc)]);
      const hashOf = new Map(known.rows.map((r) => [r.uscc, r.content_hash]));
      const out: Outcome[] = [];
      for (const c of chunk) {
        const exists = hashOf.has(c.input.uscc);
        if (exists && hashOf.get(c.input.uscc) === c.contentHash) { out.push({ row: c.row, kind: 'unchanged' }); continue; }
        const savepoint = careful || exists;
        if (savepoint) await q.query('SAVEPOINT import_row');
        try {
          await registry.insertOperator(q, actor, c.input, { status: 'approved', source: 'import', contentHash: c.contentHash });
          if (savepoint) await q.query('RELEASE SAVEPOINT import_row');
          out.push({ row: c.row, kind: 'inserted' });
        } catch (e) {
          if (!savepoint) throw new RetryWithSavepoints();
          await q.query('ROLLBACK TO SAVEPOINT import_row; RELEASE SAVEPOINT import_row');
          out.push({ row: c.row, kind: 'failed', error: rowError(c.row, c.input.uscc, asRowRefusal(e), header) });
        }
      }
      return out;
    }).catch((e) => {
      if (e instanceof RetryWithSavepoints) return insertChunk(actor, chunk, header, true);
      throw e;
    });
  }

  return {
    /**
     * Imports every row of the file as an approved registration (source 'import'). Valid rows go in, each
     * refused row is reported with its row number and reason, and re-importing the same file changes nothing.
     * A file whose header lacks a required column is refused as a whole.
     */
    async importOperators(actor: Actor, bytes: Uint8Array, opts: { onProgress?: (p: ImportProgress) => void } = {}): Promise<ImportResult> {
      ensure(actor, operatorPolicy.importBulk(actor));
      const sheet = await readSheet(bytes);
      const [headerRow, ...dataRows] = sheet.rows;
      if (!headerRow) throw invalid('IMPORT_EMPTY', '文件中没有内容', 'The file is empty', { field: 'file' });
      const header = mapHeader(headerRow.cells);
      const result: ImportResult = {
        file: { format: sheet.format, encoding: sheet.encoding }, total: dataRows.length, inserted: 0, unchanged: 0, failed: 0, errors: [], ignoredColumns: header.ignored,
      };
      const tally = (o: Outcome) => {
        if (o.kind === 'failed') { result.failed++; result.errors.push(o.error); } else result[o.kind]++;
      };
      let reported = -1;
      const progress = () => {
        const done = result.inserted + result.unchanged + result.failed;
        if (done !== reported) opts.onProgress?.({ done, total: result.total, inserted: result.inserted, unchanged: result.unchanged, failed: result.failed });
        reported = done;
      };

      // Chunks run on several connections at once; they never touch the same USCC because in-file duplicates are settled first.
      const running = new Set<Promise<void>>();
      let failure: unknown = null;
      const dispatch = async (chunk: Candidate[]) => {
        const p: Promise<void> = insertChunk(actor, chunk, header, false)
          .then((outcomes) => { outcomes.forEach(tally); progress(); }, (e) => { failure ??= e; })
          .finally(() => running.delete(p));
        running.add(p);
        if (running.size >= PARALLEL_CHUNKS) await Promise.race(running);
      };

      const firstRowOf = new Map<string, number>();
      let chunk: Candidate[] = [];
      for (const { row, cells: raw } of dataRows) {
        if (failure) break;
        const cells = rowCells(header, raw);
        const uscc = rowUscc(cells);
        try {
          // Only well-formed codes can be duplicates; the first row with a code owns it even if that row is refused.
          if (!checkUscc(uscc)) {
            const first = firstRowOf.get(uscc);
            if (first) throw invalid('DUPLICATE_IN_FILE', `与第 ${first} 行的统一社会信用代码重复`, `Same USCC as row ${first}`, { field: 'uscc', firstRow: first });
            firstRowOf.set(uscc, row);
          }
          chunk.push({ row, ...prepareRow(cells) });
        } catch (e) {
          if (!(e instanceof DomainError)) { failure ??= e; break; }
          tally({ row, kind: 'failed', error: rowError(row, uscc, e, header) });
        }
        if (chunk.length === CHUNK_ROWS) { await dispatch(chunk); chunk = []; }
      }
      if (chunk.length && !failure) await dispatch(chunk);
      await Promise.all(running);
      if (failure) throw failure;
      progress();
      result.errors.sort((a, b) => a.row - b.row);
      return result;
    },
  };
}

/** Thrown inside a chunk's transaction to roll it back and run it again row by row under savepoints. */
class RetryWithSavepoints extends Error {}

/** A row's refusal: domain refusals and bad data (SQLSTATE classes 22, 23); anything else (a lost connection) is rethrown to stop the import. */
export function asRowRefusal(e: unknown): DomainError {
  if (e instanceof DomainError) return e;
  const sqlState = (e as { code?: unknown })?.code;
  if (typeof sqlState === 'string' && /^2[23]/.test(sqlState)) {
    return invalid('ROW_REJECTED', `数据库拒绝了这一行：${(e as Error).message}`, `The database refused this row: ${(e as Error).message}`);
  }
  throw e;
}
