import type { NavItem } from '../../app/nav.ts';

/** Navigation entries of the daily-work part (records of each step, ledgers, trace, inbox). */
export const workNav: NavItem[] = [];

/** <Route> elements relative to /op. */
export const workRoutes = <></>;
