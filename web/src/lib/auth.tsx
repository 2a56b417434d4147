import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { api, session } from './api.ts';

export type Role = 'platform-admin' | 'regulator' | 'operator-admin' | 'operator-staff' | 'printer';
export interface Me {
  id: string; username: string; displayName: string; role: Role;
  operatorId: string | null; jurisdiction: string | null; active: boolean;
}

interface Auth {
  me: Me | null;
  /** True until the stored session has been checked. */
  loading: boolean;
  login(username: string, password: string): Promise<Me>;
  logout(): void;
  /** Re-reads the signed-in account. */
  refresh(): Promise<void>;
}

const Ctx = createContext<Auth | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null>(null);
  const [loading, setLoading] = useState(true);
  const refresh = useCallback(async () => {
    if (!session.get()) { setMe(null); return; }
    try { setMe(await api<Me>('GET', '/api/v1/auth/me')); } catch { session.clear(); setMe(null); }
  }, []);
  useEffect(() => { refresh().finally(() => setLoading(false)); }, [refresh]);
  useEffect(() => {
    const out = () => setMe(null);
    window.addEventListener('suyuan:signed-out', out);
    return () => window.removeEventListener('suyuan:signed-out', out);
  }, []);
  const login = useCallback(async (username: string, password: string) => {
    const r = await api<{ token: string; user: Me }>('POST', '/api/v1/auth/login', { username, password });
    session.set(r.token);
    setMe(r.user);
    return r.user;
  }, []);
  const logout = useCallback(() => { session.clear(); setMe(null); }, []);
  return <Ctx.Provider value={{ me, loading, login, logout, refresh }}>{children}</Ctx.Provider>;
}

export function useAuth(): Auth {
  const v = useContext(Ctx);
  if (!v) throw new Error('useAuth outside AuthProvider');
  return v;
}

/** The signed-in account; only for pages behind <RequireRole>. */
export function useMe(): Me {
  const { me } = useAuth();
  if (!me) throw new Error('useMe on a page without a signed-in account');
  return me;
}

/** The landing page of each role. */
export function homeOf(role: Role): string {
  if (role === 'regulator') return '/reg';
  if (role === 'platform-admin') return '/admin';
  return '/op';
}
