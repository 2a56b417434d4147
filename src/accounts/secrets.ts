import { randomBytes, scrypt as scryptCb, timingSafeEqual, createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { SignJWT, jwtVerify } from 'jose';

const scrypt = promisify(scryptCb) as (pw: string, salt: Buffer, len: number, opts: object) => Promise<Buffer>;
const PARAMS = { N: 16384, r: 8, p: 1 };

/** scrypt hash in the form `scrypt$N$r$p$salt$hash` (base64url). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, 32, PARAMS);
  return `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

/** Constant-time check of a password against a stored scrypt hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [alg, N, r, p, salt, hash] = stored.split('$');
  if (alg !== 'scrypt') return false;
  const expected = Buffer.from(hash, 'base64url');
  const got = await scrypt(password, Buffer.from(salt, 'base64url'), expected.length, { N: +N, r: +r, p: +p });
  return timingSafeEqual(expected, got);
}

/** A random password for generated accounts. */
export const randomPassword = () => randomBytes(12).toString('base64url');

/** API keys are long random strings, so a fast hash is enough to store them. */
export function newApiKey(): { key: string; prefix: string; hash: string } {
  const key = `sy_${randomBytes(24).toString('base64url')}`;
  return { key, prefix: key.slice(0, 10), hash: hashApiKey(key) };
}
export const hashApiKey = (key: string) => createHash('sha256').update(key).digest('hex');

export interface SessionClaims { sub: string; role: string; op?: string; jur?: string; usr: string }

/** Signs a session token (HS256, 12 hours). */
export async function signSession(secret: Uint8Array, claims: SessionClaims): Promise<string> {
  return new SignJWT({ role: claims.role, op: claims.op, jur: claims.jur, usr: claims.usr })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.sub)
    .setIssuedAt()
    .setIssuer('suyuan')
    .setExpirationTime('12h')
    .sign(secret);
}

/** Verifies a session token; returns null when it is invalid or expired. */
export async function verifySession(secret: Uint8Array, token: string): Promise<SessionClaims | null> {
  try {
    const { payload } = await jwtVerify(token, secret, { issuer: 'suyuan', algorithms: ['HS256'] });
    return { sub: payload.sub!, role: payload.role as string, op: payload.op as string | undefined, jur: payload.jur as string | undefined, usr: payload.usr as string };
  } catch {
    return null;
  }
}
