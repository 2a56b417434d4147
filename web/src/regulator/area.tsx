import { Route, Routes } from 'react-router';
import type { NavItem } from '../app/nav.ts';
import { coreNav, coreRoutes, Dashboard } from './core/routes.tsx';
import { riskNav, riskRoutes } from './risk/routes.tsx';

export const regulatorNav: NavItem[] = [{ to: '/reg', zh: '监管概览', en: 'Dashboard', end: true }, ...coreNav, ...riskNav];

/** Regulator console routes, relative to /reg: dashboard, review, trace, query log (core/); warnings, incidents, complaints (risk/). */
export function RegulatorArea() {
  return (
    <Routes>
      <Route index element={<Dashboard />} />
      {coreRoutes}
      {riskRoutes}
    </Routes>
  );
}
