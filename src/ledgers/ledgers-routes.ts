import { z } from 'zod';
import type { FastifyReply } from 'fastify';
import type { App } from '../platform/http.ts';
import { invalid } from '../platform/errors.ts';
import type { LedgersService } from './ledgers-service.ts';
import { LEDGER_KINDS, LEDGER_NAMES } from './ledgers-types.ts';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const OPERATORS = ['operator-admin', 'operator-staff'] as const;
const TAGS = ['ledgers'];
const Message = z.object({ zh: z.string(), en: z.string() });
const ImportResult = z.object({
  ledger: z.enum(LEDGER_KINDS),
  file: z.object({ format: z.enum(['csv', 'xlsx']), encoding: z.string().nullable() }),
  total: z.number().int(), stored: z.number().int(), unchanged: z.number().int(), failed: z.number().int(),
  errors: z.array(z.object({ row: z.number().int(), code: z.string(), message: Message, field: z.string().nullable(), column: z.string().nullable() })),
  ignoredColumns: z.array(z.string()),
  noUpstreamRecord: z.array(z.object({ row: z.number().int(), batchId: z.string(), batchCode: z.string() })),
});

const sendXlsx = (reply: FastifyReply, ascii: string, zh: string, body: Buffer) => reply
  .type(XLSX_TYPE)
  .header('content-disposition', `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(zh)}`)
  .send(body);

/** Electronic ledgers: import (multipart CSV/XLSX), templates, and the operator's export. */
export function ledgersRoutes(app: App, ledgers: LedgersService) {
  for (const kind of LEDGER_KINDS) {
    const name = LEDGER_NAMES[kind];
    const record = kind === 'purchase' ? '收货记录（进场准入）/ receiving records with entry admission' : '销售记录 / sale records';

    app.post(`/api/v1/ledgers/${kind}`, {
      config: { allow: OPERATORS },
      schema: {
        tags: TAGS, summary: `导入${name.zh} / import a ${name.en}`,
        description: `multipart/form-data with one file (CSV in UTF-8 or GB18030, or XLSX; see the template). Valid rows become ${record} of your operator; ` +
          'each refused row is listed with its spreadsheet row number (header = 1), column and code; importing the same file again adds nothing.',
        response: { 200: ImportResult },
      },
    }, async (req) => {
      const file = req.isMultipart() ? await req.file() : undefined;
      if (!file) throw invalid('IMPORT_FILE_REQUIRED', '请以 multipart/form-data 上传一个 CSV 或 XLSX 文件', 'Upload one CSV or XLSX file as multipart/form-data', { field: 'file' });
      return ledgers.importLedger(req.actor, kind, await file.toBuffer());
    });

    app.get(`/api/v1/ledgers/templates/${kind}.xlsx`, {
      config: { allow: ['public'] },
      schema: { tags: TAGS, summary: `${name.zh}模板 / ${name.en} template (XLSX, Chinese headers, an example row, instructions)` },
    }, async (_req, reply) => sendXlsx(reply, `${kind}-ledger-template.xlsx`, `${name.zh}模板.xlsx`, await ledgers.template(kind)));

    app.get(`/api/v1/ledgers/${kind}.xlsx`, {
      config: { allow: OPERATORS },
      schema: {
        tags: TAGS, summary: `导出${name.zh} / export your ${name.en} (XLSX)`,
        description: `Your own ${record} with event day (China time) from \`from\` to \`to\` inclusive, in the ledger layout.`,
        querystring: z.object({ from: z.iso.date().optional(), to: z.iso.date().optional() }),
      },
    }, async (req, reply) => {
      const span = [req.query.from, req.query.to].filter(Boolean).join('_');
      const suffix = span ? `-${span}` : '';
      return sendXlsx(reply, `${kind}-ledger${suffix}.xlsx`, `${name.zh}${suffix}.xlsx`, await ledgers.exportLedger(req.actor, kind, req.query));
    });
  }
}
