import { DomainError, invalid } from '../platform/errors.ts';
import { checkUscc, normaliseUscc } from './uscc.ts';
import { getDivision } from './division.ts';
import { gs1CheckDigit } from '../catalog/gtin.ts';
import type { OperatorInput, OperatorStatus, ReviewAction, SiteInput } from './registry-types.ts';

/** The Chinese and English message of each USCC problem. */
export const USCC_MESSAGES = {
  USCC_LENGTH: ['统一社会信用代码应为 18 位', 'A USCC has 18 characters'],
  USCC_CHARSET: ['统一社会信用代码含有不允许的字符（不使用 I、O、Z、S、V）', 'The USCC contains a character outside its alphabet (no I, O, Z, S, V)'],
  USCC_CHECKSUM: ['统一社会信用代码校验位错误', 'The USCC check character is wrong'],
} as const;

/**
 * Validates and normalises an operator registration. A checksum failure may be overridden (by an admin,
 * checked by the caller); length or alphabet errors never can. Returns the normalised input.
 */
export function validateOperator(input: OperatorInput, opts: { overrideAllowed: boolean }): OperatorInput & { usccOverridden: boolean } {
  const uscc = normaliseUscc(input.uscc);
  const problem = checkUscc(uscc);
  let usccOverridden = false;
  if (problem) {
    const [zh, en] = USCC_MESSAGES[problem];
    if (problem !== 'USCC_CHECKSUM' || !input.usccOverride) throw invalid(problem, zh, en, { field: 'uscc' });
    if (!opts.overrideAllowed) throw new DomainError('forbidden', 'USCC_OVERRIDE_FORBIDDEN', '只有平台管理员可以接受校验位错误的代码', 'Only a platform admin may accept a USCC that fails its checksum', { field: 'uscc' });
    if (!input.usccOverride.reason?.trim()) throw invalid('USCC_OVERRIDE_REASON', '接受校验位错误的代码须说明原因', 'Accepting a USCC that fails its checksum needs a reason', { field: 'usccOverride.reason' });
    usccOverridden = true;
  }
  const name = input.name?.trim();
  if (!name) throw invalid('NAME_REQUIRED', '主体名称不能为空', 'Name is required', { field: 'name' });
  if (!input.types?.length) throw invalid('TYPES_REQUIRED', '至少选择一种主体类型', 'Choose at least one operator type', { field: 'types' });
  assertDivision(input.divisionCode, 'divisionCode');
  assertCoordinates(input.lat, input.lng);
  for (const [i, l] of (input.licences ?? []).entries()) {
    if (!l.type?.trim() || !l.number?.trim()) throw invalid('LICENCE_INVALID', '许可证须有类型和编号', 'A licence needs a type and a number', { field: `licences.${i}` });
    if (l.validUntil && !/^\d{4}-\d{2}-\d{2}$/.test(l.validUntil)) throw invalid('DATE_INVALID', '日期格式应为 YYYY-MM-DD', 'Dates are YYYY-MM-DD', { field: `licences.${i}.validUntil` });
  }
  return { ...input, uscc, name, types: [...new Set(input.types)], usccOverridden };
}

/** Throws DIVISION_UNKNOWN unless the code is a real GB/T 2260 division. */
export function assertDivision(code: string, field: string): void {
  if (!/^\d{6}$/.test(code ?? '') || !getDivision(code)) {
    throw invalid('DIVISION_UNKNOWN', `行政区划代码 ${code ?? ''} 不存在`, `Division code ${code ?? ''} is not a GB/T 2260 division`, { field });
  }
}

function assertCoordinates(lat?: number | null, lng?: number | null) {
  if ((lat == null) !== (lng == null)) throw invalid('COORDINATES_INVALID', '经纬度须同时提供', 'Give both latitude and longitude', { field: 'lat' });
  if (lat != null && (lat < -90 || lat > 90 || lng! < -180 || lng! > 180)) throw invalid('COORDINATES_INVALID', '经纬度超出范围', 'Coordinates out of range', { field: 'lat' });
}

/** Validates a site. */
export function validateSite(s: SiteInput): SiteInput {
  if (!s.name?.trim()) throw invalid('NAME_REQUIRED', '场所名称不能为空', 'Site name is required', { field: 'name' });
  assertDivision(s.divisionCode, 'divisionCode');
  assertCoordinates(s.lat, s.lng);
  if (s.gln && (!/^\d{13}$/.test(s.gln) || gs1CheckDigit(s.gln.slice(0, 12)) !== Number(s.gln[12]))) {
    throw invalid('GLN_CHECKSUM', 'GLN 须为 13 位且校验位正确', 'A GLN has 13 digits with a valid check digit', { field: 'gln' });
  }
  return { ...s, name: s.name.trim() };
}

const TRANSITIONS: Record<ReviewAction, { from: OperatorStatus[]; to: OperatorStatus; needsReason: boolean }> = {
  approve: { from: ['pending'], to: 'approved', needsReason: false },
  reject: { from: ['pending'], to: 'rejected', needsReason: true },
  suspend: { from: ['approved'], to: 'suspended', needsReason: true },
  reinstate: { from: ['suspended'], to: 'approved', needsReason: false },
};

/** The review workflow: returns the new status or throws when the action does not apply. */
export function nextStatus(current: OperatorStatus, action: ReviewAction, reason?: string | null): OperatorStatus {
  const t = TRANSITIONS[action];
  if (!t.from.includes(current)) {
    throw new DomainError('conflict', 'REVIEW_NOT_ALLOWED', `当前状态（${current}）不能执行“${action}”`, `Cannot ${action} an operator that is ${current}`, { status: current });
  }
  if (t.needsReason && !reason?.trim()) throw invalid('REASON_REQUIRED', '驳回或暂停须说明原因', 'Rejecting or suspending needs a reason', { field: 'reason' });
  return t.to;
}
