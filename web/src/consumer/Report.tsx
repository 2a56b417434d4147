/** @jsxRuntime automatic */
/** @jsxImportSource preact */
import { useState } from 'preact/hooks';
import type { Bilingual, Lang } from './scan-data.ts';
import { NO_TRANSLATE, type Text } from './text.ts';

/** A problem+json answer as this page shows it (the workbench's ProblemMessage is React; this page is Preact). */
interface Problem { code: string; message?: Bilingual; field?: string; errors?: Array<{ field?: string; path?: string; message?: string | Bilingual }> }

/** As the API admits them (src/complaints/complaints-types.ts): its categories, text and contact lengths, photo types and size. */
const CATEGORIES = ['quality', 'illness', 'counterfeit', 'label', 'other'] as const;
const MAX_TEXT = 2000;
const MAX_CONTACT = 200;
const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'];
const MAX_PHOTO_BYTES = 5 * 1024 * 1024;
type Field = 'category' | 'text' | 'contact' | 'photo';

/** The form checked as the API checks it; an empty object when it may be sent. */
function check(fd: FormData, r: Text['report']): Partial<Record<Field, string>> {
  const out: Partial<Record<Field, string>> = {};
  if (!CATEGORIES.includes(String(fd.get('category') ?? '') as (typeof CATEGORIES)[number])) out.category = r.needCategory;
  const text = String(fd.get('text') ?? '').trim();
  if (!text) out.text = r.needText;
  else if (text.length > MAX_TEXT) out.text = r.textTooLong;
  if (String(fd.get('contact') ?? '').trim().length > MAX_CONTACT) out.contact = r.contactTooLong;
  const photo = fd.get('photo');
  if (photo instanceof File && photo.size > 0) {
    if (!PHOTO_TYPES.includes(photo.type)) out.photo = r.photoType;
    else if (photo.size > MAX_PHOTO_BYTES) out.photo = r.photoTooBig;
  }
  return out;
}

/**
 * "Report a problem" (举报): category, text, optional photo and contact, with the code and the scan the page was opened
 * from, sent as multipart to POST /api/v1/complaints, which routes it to the regulator of the producer's jurisdiction
 * and answers a reference number.
 */
export function ReportForm({ t, lang, code, scanId }: { t: Text; lang: Lang; code: string | null; scanId: string }) {
  const r = t.report;
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const [reference, setReference] = useState<string | null>(null);
  const pick = (m: string | Bilingual | undefined) => (typeof m === 'string' ? m : m ? m[lang] : '');

  async function submit(e: Event) {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const fd = new FormData(form);
    const found = check(fd, r);
    setErrors(found);
    setProblem(null);
    if (Object.keys(found).length) {
      form.querySelector<HTMLElement>(`[name="${Object.keys(found)[0]}"]`)?.focus();
      return;
    }
    const photo = fd.get('photo');
    if (photo instanceof File && photo.size === 0) fd.delete('photo');
    // A Digital Link of a lot has no trace code: the scan URL names the batch as well.
    fd.set('code', code ?? `${location.origin}${location.pathname}`);
    fd.set('scanId', scanId);
    setBusy(true);
    try {
      const res = await fetch('/api/v1/complaints', { method: 'POST', headers: { accept: 'application/json' }, body: fd });
      const body = await res.json().catch(() => null);
      if (res.ok && body?.reference) setReference(body.reference);
      else setProblem(body?.code ? body : { code: `HTTP_${res.status}`, message: { zh: `提交失败（${res.status}）`, en: `Sending failed (${res.status})` } });
    } catch {
      setProblem({ code: 'NETWORK', message: { zh: '网络连接失败，请稍后重试', en: 'Network error, please try again' } });
    } finally {
      setBusy(false);
    }
  }

  // Labels come from <label for>; hints and errors are tied to their input so that a screen reader reads them too.
  const invalid = (f: Field, hint = true) => ({
    'aria-invalid': errors[f] || problem?.field === f ? true : undefined,
    'aria-describedby': [hint ? `c-${f}-hint` : '', errors[f] ? `c-${f}-error` : ''].filter(Boolean).join(' ') || undefined,
  });
  const fieldError = (f: Field) => (errors[f] ? <span id={`c-${f}-error`} class="field-error">{errors[f]}</span> : null);

  return (
    <section aria-labelledby="h-report" class="report">
      <details>
        <summary><h2 id="h-report">{r.open}</h2></summary>
        {reference ? (
          <div class="ok-box" role="status">
            <p>{r.done}</p>
            <p>{r.ref}{t.colon}<strong {...NO_TRANSLATE}>{reference}</strong></p>
            <p class="meta">{r.keep}</p>
          </div>
        ) : (
          <form class="form" onSubmit={submit} noValidate>
            <p class="meta">{r.intro}</p>
            <label for="c-category">{r.category}</label>
            <select id="c-category" name="category" required {...invalid('category', false)}>
              <option value="">{r.choose}</option>
              {CATEGORIES.map((c) => <option value={c} key={c}>{r.categories[c]}</option>)}
            </select>
            {fieldError('category')}
            <label for="c-text">{r.text}</label>
            <textarea id="c-text" name="text" rows={4} required maxLength={MAX_TEXT} {...invalid('text')} />
            <span id="c-text-hint" class="hint">{r.textHint}</span>
            {fieldError('text')}
            <label for="c-photo">{r.photo}</label>
            <input id="c-photo" name="photo" type="file" accept={PHOTO_TYPES.join(',')} {...invalid('photo')} />
            <span id="c-photo-hint" class="hint">{r.photoHint}</span>
            {fieldError('photo')}
            <label for="c-contact">{r.contact}</label>
            <input id="c-contact" name="contact" type="text" maxLength={MAX_CONTACT} autoComplete="tel" {...invalid('contact')} />
            <span id="c-contact-hint" class="hint">{r.contactHint}</span>
            {fieldError('contact')}
            {Object.keys(errors).length ? <div class="alert" role="alert">{r.fix}<ul>{Object.values(errors).map((m) => <li key={m}>{m}</li>)}</ul></div> : null}
            {problem ? (
              <div class="alert" role="alert">
                {pick(problem.message) || problem.code}
                {problem.errors?.length ? <ul>{problem.errors.map((x, i) => <li key={i}>{[x.field ?? x.path, pick(x.message)].filter(Boolean).join(t.colon)}</li>)}</ul> : null}
              </div>
            ) : null}
            <button type="submit" class="primary" disabled={busy}>{busy ? r.sending : r.submit}</button>
          </form>
        )}
      </details>
    </section>
  );
}
