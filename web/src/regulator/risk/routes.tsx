import type { NavItem } from '../../app/nav.ts';

export const riskNav: NavItem[] = [];

/** <Route> elements relative to /reg. */
export const riskRoutes = <></>;
