import { formatCode, generateCode } from '../codes/code-scheme.ts';
import type { LabelRecord } from './label-types.ts';

/** A label record for tests: a fresh valid code on node 350, a scan URL, a Chinese product and operator. */
export function buildLabel(overrides: Partial<LabelRecord> = {}): LabelRecord {
  const kind = overrides.kind ?? 'batch';
  const code = overrides.code ?? generateCode('350', kind);
  return {
    code, display: formatCode(code), qrUrl: `https://scan.suyuan.test/t/${code}`, kind,
    productName: '五常有机稻花香大米', operatorName: '五常市稻香源农业专业合作社', lot: 'L20240501', producedOn: '2024-05-01',
    ...overrides,
  };
}

/** `count` labels of the same product, as one print run has. */
export function buildLabels(count: number, overrides: Partial<LabelRecord> = {}): LabelRecord[] {
  return Array.from({ length: count }, () => buildLabel(overrides));
}
