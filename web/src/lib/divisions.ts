/** GB/T 2260 administrative divisions as the API serves them, and today's date in China: what every area of the UI reads. */
import { useQuery } from '@tanstack/react-query';
import { get } from './api.ts';
import { chinaDate } from '../../../src/catalog/catalog-fns.ts';

export interface Division { code: string; name: string; level: string; parent: string | null; path: string[]; children: { code: string; name: string; level: string }[] }

/** A division with its children (GB/T 2260; fixed data, fetched once per code); nothing for a code that is not six digits. */
export function useDivision(code: string) {
  return useQuery({
    queryKey: ['division', code], enabled: /^\d{6}$/.test(code), staleTime: Infinity, retry: false,
    queryFn: () => get<Division>(`/api/v1/divisions/${code}`),
  });
}

/** Today in China (YYYY-MM-DD), the day the API checks production dates against. */
export function chinaToday(): string {
  return chinaDate(new Date());
}
