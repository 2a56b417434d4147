import { z } from 'zod';
import type { App } from '../platform/http.ts';
import type { Database } from '../platform/db.ts';
import { invalid } from '../platform/errors.ts';
import type { RegistryService } from './registry-service.ts';
import { createRegistryImport } from './registry-import.ts';
import { writeTemplate } from './registry-import-file.ts';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const Message = z.object({ zh: z.string(), en: z.string() });
const ImportResult = z.object({
  file: z.object({ format: z.enum(['csv', 'xlsx']), encoding: z.string().nullable() }),
  total: z.number().int(), inserted: z.number().int(), unchanged: z.number().int(), failed: z.number().int(),
  errors: z.array(z.object({
    row: z.number().int(), uscc: z.string().nullable(), code: z.string(), message: Message, field: z.string().nullable(), column: z.string().nullable(),
    existing: z.object({ id: z.string(), name: z.string(), uscc: z.string(), status: z.string() }).optional(),
    firstRow: z.number().int().optional(),
  })),
  ignoredColumns: z.array(z.string()),
});

/** Bulk import of historical operator registrations and its XLSX template. */
export function registryImportRoutes(app: App, deps: { db: Database; registry: Pick<RegistryService, 'insertOperator'> }) {
  const importer = createRegistryImport(deps);
  let template: Promise<Buffer> | undefined;

  app.post('/api/v1/operators/import', {
    config: { allow: ['platform-admin'] },
    schema: {
      tags: ['registry'], summary: '批量导入历史备案 / bulk import historical registrations',
      description: 'multipart/form-data with one file (CSV in UTF-8 or GB18030, or XLSX; see the template). Valid rows are imported as approved; ' +
        'each refused row is listed with its spreadsheet row number; importing the same file again changes nothing.',
      response: { 200: ImportResult },
    },
  }, async (req) => {
    const file = req.isMultipart() ? await req.file() : undefined;
    if (!file) throw invalid('IMPORT_FILE_REQUIRED', '请以 multipart/form-data 上传一个 CSV 或 XLSX 文件', 'Upload one CSV or XLSX file as multipart/form-data', { field: 'file' });
    return importer.importOperators(req.actor, await file.toBuffer());
  });

  app.get('/api/v1/operators/import/template.xlsx', {
    config: { allow: ['public'] },
    schema: { tags: ['registry'], summary: '导入模板 / import template (XLSX, Chinese headers, one example row)' },
  }, async (_req, reply) => {
    template ??= writeTemplate();
    return reply
      .type(XLSX_TYPE)
      .header('content-disposition', `attachment; filename="operator-import-template.xlsx"; filename*=UTF-8''${encodeURIComponent('主体备案导入模板.xlsx')}`)
      .send(await template);
  });
}
