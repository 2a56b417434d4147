import { Component, type ReactNode } from 'react';
import { useLocation } from 'react-router';
import { useI18n } from '../lib/i18n.tsx';

interface State { error: Error | null }

class Boundary extends Component<{ children: ReactNode; fallback: (e: Error) => ReactNode }, State> {
  override state: State = { error: null };
  static getDerivedStateFromError(error: Error): State { return { error }; }
  override componentDidCatch(error: Error) { console.error(error); }
  override render() { return this.state.error ? this.props.fallback(this.state.error) : this.props.children; }
}

/** A page that throws shows a message instead of a blank app; moving to another page starts afresh. */
export function PageErrorBoundary({ children }: { children: ReactNode }) {
  const loc = useLocation();
  const { t } = useI18n();
  return (
    <Boundary key={loc.pathname} fallback={(e) => (
      <div className="problem" role="alert">
        <strong>{t('页面出错了', 'This page failed')}</strong>
        <p>{e.message}</p>
        <button type="button" className="btn btn-secondary" onClick={() => location.reload()}>{t('重新加载', 'Reload')}</button>
      </div>
    )}>
      {children}
    </Boundary>
  );
}
