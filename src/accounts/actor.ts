import { forbidden, unauthenticated } from '../platform/errors.ts';

/** The roles of the platform. `public` is the anonymous caller (a consumer who scans). */
export const ROLES = ['platform-admin', 'regulator', 'operator-admin', 'operator-staff', 'printer', 'public'] as const;
export type Role = (typeof ROLES)[number];
export type UserRole = Exclude<Role, 'public'>;
/** Every signed-in role, and everyone (anonymous included): the two widest `config.allow` lists of the routes. */
export const SIGNED_IN = ['platform-admin', 'regulator', 'operator-admin', 'operator-staff', 'printer'] as const satisfies readonly UserRole[];
export const EVERYONE = ['public', ...SIGNED_IN] as const;

/** Who is calling: resolved once per request from a session token or an API key. */
export interface Actor {
  role: Role;
  userId?: string;
  apiKeyId?: string;
  username?: string;
  operatorId?: string;
  /** Regulators only: a 6-digit division code; '000000' is national. */
  jurisdiction?: string;
}

export const PUBLIC: Actor = Object.freeze({ role: 'public' });

/** The id recorded as the actor of a change. */
export function actorId(a: Actor): string | null {
  return a.userId ?? (a.apiKeyId ? `apikey:${a.apiKeyId}` : null);
}

/** Throws unless the actor holds one of the roles. */
export function requireRole(a: Actor, ...roles: Role[]): void {
  if (roles.includes(a.role)) return;
  if (a.role === 'public') throw unauthenticated('AUTH_REQUIRED', '请先登录', 'Please sign in first');
  throw forbidden();
}

/** Throws 403 when the condition is false (401 for anonymous callers). */
export function ensure(a: Actor, allowed: boolean): void {
  if (allowed) return;
  if (a.role === 'public') throw unauthenticated('AUTH_REQUIRED', '请先登录', 'Please sign in first');
  throw forbidden();
}

export const isOperatorRole = (a: Actor) => a.role === 'operator-admin' || a.role === 'operator-staff' || a.role === 'printer';
