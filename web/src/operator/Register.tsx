import { PublicFrame } from '../app/Layout.tsx';
import { useI18n } from '../lib/i18n.tsx';

/** Operator self-registration (pending review by the regulator). */
export function Register() {
  const { t } = useI18n();
  return <PublicFrame><main className="auth-page"><h1>{t('经营主体注册', 'Register an operator')}</h1></main></PublicFrame>;
}
