/** The one way the web application talks to the API: JSON in, JSON out, problem+json errors as ApiError. */
import type { Bilingual } from './i18n.tsx';

const TOKEN_KEY = 'suyuan.session';
export const session = {
  get: () => localStorage.getItem(TOKEN_KEY),
  set: (t: string) => localStorage.setItem(TOKEN_KEY, t),
  clear: () => localStorage.removeItem(TOKEN_KEY),
};

/** An RFC 9457 problem from the API; `message` carries Chinese and English. */
export interface Problem {
  type?: string; title?: string; status: number; code: string; detail?: string; message: Bilingual;
  errors?: Array<{ path?: string; field?: string; message?: string | Bilingual; row?: number }>;
  [k: string]: unknown;
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) { super(problem.message?.en ?? problem.code); }
  get status() { return this.problem.status; }
  get code() { return this.problem.code; }
}

function headers(extra?: HeadersInit): Headers {
  const h = new Headers(extra);
  const tok = session.get();
  if (tok && !h.has('authorization')) h.set('authorization', `Bearer ${tok}`);
  if (!h.has('accept')) h.set('accept', 'application/json');
  return h;
}

async function toProblem(res: Response): Promise<Problem> {
  const text = await res.text();
  try {
    const p = JSON.parse(text);
    if (p && typeof p === 'object' && p.code) return { ...p, status: p.status ?? res.status, message: p.message ?? { zh: p.detail ?? p.title, en: p.title } };
  } catch { /* not JSON */ }
  return { status: res.status, code: `HTTP_${res.status}`, message: { zh: `请求失败（${res.status}）`, en: `Request failed (${res.status})` } };
}

/** Calls the API. `body` may be a plain object (sent as JSON) or FormData (multipart). */
export async function api<T = any>(method: string, path: string, body?: unknown, init: RequestInit = {}): Promise<T> {
  const h = headers(init.headers);
  let payload: BodyInit | undefined;
  if (body instanceof FormData || body instanceof Blob || typeof body === 'string') payload = body as BodyInit;
  else if (body !== undefined) { payload = JSON.stringify(body); h.set('content-type', 'application/json'); }
  let res: Response;
  try {
    res = await fetch(path, { ...init, method, headers: h, body: payload });
  } catch {
    throw new ApiError({ status: 0, code: 'NETWORK', message: { zh: '网络连接失败，请稍后重试', en: 'Network error, please try again' } });
  }
  if (res.status === 401 && session.get() && !path.endsWith('/auth/login')) {
    session.clear();
    window.dispatchEvent(new Event('suyuan:signed-out'));
  }
  if (!res.ok) throw new ApiError(await toProblem(res));
  if (res.status === 204) return undefined as T;
  const type = res.headers.get('content-type') ?? '';
  return (type.includes('json') ? res.json() : res.text()) as Promise<T>;
}

export const get = <T = any>(path: string) => api<T>('GET', path);
export const post = <T = any>(path: string, body?: unknown) => api<T>('POST', path, body ?? {});

/** Downloads a file from an authenticated endpoint (labels, exports) and hands it to the browser. */
export async function download(path: string, filename: string): Promise<void> {
  const res = await fetch(path, { headers: headers({ accept: '*/*' }) });
  if (!res.ok) throw new ApiError(await toProblem(res));
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url; a.download = filename; document.body.appendChild(a); a.click(); a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Fetches an authenticated file as an object URL (PDF preview in an iframe, complaint photos). */
export async function objectUrl(path: string): Promise<string> {
  const res = await fetch(path, { headers: headers({ accept: '*/*' }) });
  if (!res.ok) throw new ApiError(await toProblem(res));
  return URL.createObjectURL(await res.blob());
}

/** Builds a query string from the defined values. */
export function qs(params: Record<string, string | number | boolean | undefined | null>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : '';
}
