import { z } from 'zod';
import type { MultipartFile } from '@fastify/multipart';
import type { App } from '../platform/http.ts';
import { invalid } from '../platform/errors.ts';
import type { ComplaintsService } from './complaints-service.ts';
import { photoTooLarge } from './complaints-fns.ts';
import { COMPLAINT_CATEGORIES, COMPLAINT_STATUSES, ComplaintFields, MAX_PHOTO_BYTES, type PhotoInput, StatusBody } from './complaints-types.ts';

const Id = z.object({ id: z.uuid() });
const HANDLERS = ['platform-admin', 'regulator'] as const;
const FIELDS = new Set(['text', 'category', 'contact', 'code', 'scanId']);

/** Complaints (投诉举报): the public intake of the scan page, and the regulators' list, detail, photo and status. */
export function complaintsRoutes(app: App, complaints: ComplaintsService) {
  app.post('/api/v1/complaints', {
    config: { allow: ['public'] },
    schema: {
      tags: ['complaints'], summary: '投诉举报 / report a problem with a scanned product',
      description: 'multipart/form-data with the fields `text` (required, ≤ 2000 characters), `category` ('
        + `${COMPLAINT_CATEGORIES.join(', ')}), \`code\` (the code scanned: bare, scan URL or Digital Link), optional \`contact\` `
        + '(phone or e-mail, for the regulator only), optional `scanId`, and an optional file `photo` (JPEG, PNG or WebP, ≤ 5 MB, '
        + 'recognised by its bytes). 201 with the reference number. At most 5 complaints per client address per hour (429 with Retry-After).',
      consumes: ['multipart/form-data'],
    },
  }, async (req, reply) => {
    if (!req.isMultipart()) throw invalid('COMPLAINT_MULTIPART_REQUIRED', '请以 multipart/form-data 提交投诉', 'Send the complaint as multipart/form-data');
    const fields: Record<string, string> = {};
    let photo: PhotoInput | null = null;
    // One more byte than admitted, so that a photo over the limit is told apart from one at the limit.
    for await (const part of req.parts({ limits: { fileSize: MAX_PHOTO_BYTES + 1, files: 1, fields: 10, fieldSize: 16 * 1024 } })) {
      if (part.type === 'file') {
        if (part.fieldname !== 'photo') { await part.toBuffer().catch(() => undefined); throw invalid('COMPLAINT_FIELD_UNKNOWN', `未知的文件字段 ${part.fieldname}`, `Unknown file field ${part.fieldname}`, { field: part.fieldname }); }
        photo = { bytes: await readPhoto(part) };
      } else if (FIELDS.has(part.fieldname) && typeof part.value === 'string') {
        fields[part.fieldname] = part.value;
      }
    }
    const parsed = ComplaintFields.safeParse(fields);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue.path.join('.');
      throw invalid('VALIDATION_FAILED', `请求数据不符合要求：${field}`, `Request does not match the schema: ${field}: ${issue.message}`, { field });
    }
    return reply.code(201).send(await complaints.submit(parsed.data, photo, { ip: req.ip ?? null }));
  });

  app.get('/api/v1/complaints', {
    config: { allow: HANDLERS },
    schema: {
      tags: ['complaints'], summary: '投诉列表 / complaints of your jurisdiction, newest first, with their status',
      description: 'Regulators see the complaints about codes whose origin operator lies in their jurisdiction (national: all).',
      querystring: z.object({ status: z.enum(COMPLAINT_STATUSES).optional(), limit: z.coerce.number().int().min(1).max(500).optional() }),
    },
  }, async (req) => complaints.list(req.actor, req.query));

  app.get('/api/v1/complaints/:id', {
    config: { allow: HANDLERS },
    schema: { tags: ['complaints'], summary: '投诉详情 / one complaint, with the consumer\'s contact', params: Id },
  }, async (req) => complaints.get(req.actor, req.params.id));

  app.get('/api/v1/complaints/:id/photo', {
    config: { allow: HANDLERS },
    schema: { tags: ['complaints'], summary: '投诉照片 / the complaint\'s photo', params: Id },
  }, async (req, reply) => {
    const p = await complaints.photo(req.actor, req.params.id);
    return reply.header('content-type', p.contentType).header('x-content-type-options', 'nosniff').header('cache-control', 'private, no-store').send(p.body);
  });

  app.post('/api/v1/complaints/:id/status', {
    config: { allow: HANDLERS },
    schema: {
      tags: ['complaints'], summary: '处理投诉 / move a complaint on: investigating, then closed with a note',
      params: Id, body: StatusBody,
    },
  }, async (req) => complaints.setStatus(req.actor, req.params.id, req.body));
}

/** The photo's bytes; over the limit is refused as too large. */
async function readPhoto(part: MultipartFile): Promise<Buffer> {
  try {
    const bytes = await part.toBuffer();
    if (bytes.length > MAX_PHOTO_BYTES || part.file.truncated) throw photoTooLarge();
    return bytes;
  } catch (e) {
    if ((e as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw photoTooLarge();
    throw e;
  }
}
