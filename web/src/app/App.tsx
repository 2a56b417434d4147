import { Navigate, Route, Routes } from 'react-router';
import { homeOf, useAuth } from '../lib/auth.tsx';
import { Loading } from '../lib/ui.tsx';
import { Layout, PublicFrame, RequireRole } from './Layout.tsx';
import { Login } from './Login.tsx';
import { OperatorArea, operatorNav, OPERATOR_ROLES } from '../operator/area.tsx';
import { Register } from '../operator/Register.tsx';
import { RegulatorArea, regulatorNav } from '../regulator/area.tsx';
import { AdminArea, adminNav } from '../admin/area.tsx';
import { useI18n } from '../lib/i18n.tsx';

function Home() {
  const { me, loading } = useAuth();
  if (loading) return <Loading />;
  return <Navigate to={me ? homeOf(me.role) : '/login'} replace />;
}

function NotFound() {
  const { t } = useI18n();
  return <PublicFrame><main className="content"><h1>{t('页面不存在', 'Page not found')}</h1></main></PublicFrame>;
}

/** The workbench's areas; each area owns its routes under its prefix and declares which roles may enter. */
export function App() {
  return (
    <Routes>
      <Route path="/" element={<Home />} />
      <Route path="/login" element={<Login />} />
      <Route path="/register" element={<Register />} />
      <Route path="/op/*" element={<RequireRole roles={OPERATOR_ROLES}><Layout nav={operatorNav}><OperatorArea /></Layout></RequireRole>} />
      <Route path="/reg/*" element={<RequireRole roles={['regulator', 'platform-admin']}><Layout nav={regulatorNav}><RegulatorArea /></Layout></RequireRole>} />
      <Route path="/admin/*" element={<RequireRole roles={['platform-admin']}><Layout nav={adminNav}><AdminArea /></Layout></RequireRole>} />
      <Route path="*" element={<NotFound />} />
    </Routes>
  );
}
