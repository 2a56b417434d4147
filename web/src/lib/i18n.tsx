import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';

/**
 * Two languages, Chinese first. Strings are written where they are used, as `t('中文', 'English')`: no key files to
 * keep in step, and the consumer page carries no i18n library (its JavaScript budget is 200 KB).
 */
export type Lang = 'zh' | 'en';
export interface Bilingual { zh: string; en: string }

const KEY = 'suyuan.lang';
function initialLang(): Lang {
  const fromUrl = new URLSearchParams(location.search).get('lang');
  if (fromUrl === 'en' || fromUrl === 'zh') return fromUrl;
  const stored = localStorage.getItem(KEY);
  return stored === 'en' ? 'en' : 'zh';
}

interface I18n {
  lang: Lang;
  setLang(l: Lang): void;
  /** Picks the current language's text. */
  t(zh: string, en: string): string;
  /** Picks from a `{zh, en}` pair, as the API's problem messages carry. */
  pick(b: Bilingual | undefined | null): string;
  /** Formats a date/time for the current language. */
  dt(iso: string | null | undefined, withTime?: boolean): string;
  num(n: number | null | undefined): string;
}

const Ctx = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  useEffect(() => {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  }, [lang]);
  const setLang = useCallback((l: Lang) => { localStorage.setItem(KEY, l); setLangState(l); }, []);
  const value = useMemo<I18n>(() => {
    const locale = lang === 'zh' ? 'zh-CN' : 'en-GB';
    return {
      lang, setLang,
      t: (zh, en) => (lang === 'zh' ? zh : en),
      pick: (b) => (b ? (lang === 'zh' ? b.zh : b.en) : ''),
      dt: (iso, withTime = true) => {
        if (!iso) return '—';
        const d = new Date(iso);
        if (Number.isNaN(d.getTime())) return iso;
        return withTime ? d.toLocaleString(locale, { hour12: false }) : d.toLocaleDateString(locale);
      },
      num: (n) => (n === null || n === undefined ? '—' : n.toLocaleString(locale)),
    };
  }, [lang, setLang]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useI18n(): I18n {
  const v = useContext(Ctx);
  if (!v) throw new Error('useI18n outside I18nProvider');
  return v;
}

/** The language switch shown on every page. */
export function LangSwitch() {
  const { lang, setLang } = useI18n();
  return (
    <button type="button" className="lang-switch" onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')}
      aria-label={lang === 'zh' ? 'Switch to English' : '切换到中文'}>
      {lang === 'zh' ? 'EN' : '中文'}
    </button>
  );
}
