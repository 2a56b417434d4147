/**
 * The closed set of domain errors. Services throw these; one HTTP error handler maps them to
 * RFC 9457 problem+json. Every error carries a stable machine code and a message in Chinese and English.
 */
export type ErrorKind = 'invalid' | 'unauthenticated' | 'forbidden' | 'not_found' | 'conflict' | 'too_large' | 'too_many';

export interface ErrorDetail {
  field?: string;
  row?: number;
  code?: string;
  message?: string;
  [k: string]: unknown;
}

export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    readonly zh: string,
    readonly en: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(`${code}: ${en}`);
    this.name = 'DomainError';
  }
}

/** Bad input: the request can never succeed as sent. */
export const invalid = (code: string, zh: string, en: string, details?: Record<string, unknown>) =>
  new DomainError('invalid', code, zh, en, details);
/** No or bad credentials. */
export const unauthenticated = (code: string, zh: string, en: string) => new DomainError('unauthenticated', code, zh, en);
/** The caller is known but may not do this. */
export const forbidden = (code = 'FORBIDDEN', zh = '无权执行此操作', en = 'You are not allowed to do this') =>
  new DomainError('forbidden', code, zh, en);
/** The named thing does not exist (or the caller may not know that it does). */
export const notFound = (code: string, zh: string, en: string, details?: Record<string, unknown>) =>
  new DomainError('not_found', code, zh, en, details);
/** The request clashes with the current state. */
export const conflict = (code: string, zh: string, en: string, details?: Record<string, unknown>) =>
  new DomainError('conflict', code, zh, en, details);
/**
 * Too many requests from this caller for now: rendered as 429 with a Retry-After header of `retryAfterSeconds`
 * (also a detail of the problem).
 */
export const tooMany = (code: string, zh: string, en: string, retryAfterSeconds: number, details?: Record<string, unknown>) =>
  new DomainError('too_many', code, zh, en, { ...details, retryAfterSeconds });
