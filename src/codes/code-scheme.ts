import { randomBytes } from 'node:crypto';

/**
 * The Suyuan trace code (see docs/code-scheme.md).
 *
 *   NNN K RRRRRRRRRRR C      16 characters, printed in groups of four: 350B 7K2M QX9D 4HRF
 *   NNN  issuing platform node (routes a scan in a federation)
 *   K    kind: B = batch (批次码), P = piece / single item (单品码)
 *   R×11 random payload (31^11 ≈ 2.5·10^16 values)
 *   C    check character, weighted sum mod 31 over all 16 characters = 0
 *
 * Alphabet: the 31 characters of GB 32100 (digits and capitals without I, O, S, V, Z), so no 0/O, 1/I,
 * 5/S, 2/Z or U/V confusions. Weights are distinct powers of a primitive root mod the prime 31, so every
 * single-character substitution and every transposition of two characters (adjacent or not) changes the sum.
 */
export const CODE_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
export const CODE_LENGTH = 16;
export const PAYLOAD_LENGTH = 11;
export type CodeKind = 'batch' | 'item';
const KIND_CHAR: Record<CodeKind, string> = { batch: 'B', item: 'P' };
const WEIGHTS = Array.from({ length: CODE_LENGTH }, (_, i) => 3 ** (CODE_LENGTH - 1 - i) % 31);
const VALUE = new Map([...CODE_ALPHABET].map((c, i) => [c, i]));

function weightedSum(chars: string, upto: number): number {
  let sum = 0;
  for (let i = 0; i < upto; i++) sum = (sum + (VALUE.get(chars[i]) ?? 0) * WEIGHTS[i]) % 31;
  return sum;
}

/** The check character for the first 15 characters. */
export function codeCheckChar(body15: string): string {
  return CODE_ALPHABET[(31 - weightedSum(body15, 15)) % 31];
}

/** `count` uniformly random characters from the alphabet (rejection sampling on random bytes). */
function randomChars(count: number): string {
  let out = '';
  while (out.length < count) {
    for (const b of randomBytes(count * 2)) {
      if (b < 248 && out.length < count) out += CODE_ALPHABET[b % 31];
    }
  }
  return out;
}

/** A fresh random code of the given kind issued by `nodeId`. Uniqueness is enforced by the store. */
export function generateCode(nodeId: string, kind: CodeKind): string {
  const body = nodeId + KIND_CHAR[kind] + randomChars(PAYLOAD_LENGTH);
  return body + codeCheckChar(body);
}

export type CodeProblem = 'CODE_FORMAT' | 'CODE_CHECKSUM';
export interface ParsedCode { code: string; nodeId: string; kind: CodeKind }

/** Normalises what people type or scanners send: spaces and hyphens dropped, upper case, O→0 and I→1. */
export function normaliseCode(input: string): string {
  return input.replace(/[\s-]/g, '').toUpperCase().replace(/O/g, '0').replace(/I/g, '1');
}

// A code as printed, stored and named in events: normalising would leave it as it is.
const NORMAL_CODE = new RegExp(`^[${CODE_ALPHABET}]{${CODE_LENGTH}}$`);

/** Parses a code; returns the problem when it is malformed or its check character is wrong. */
export function parseCode(input: string): ParsedCode | CodeProblem {
  const code = NORMAL_CODE.test(input) ? input : normaliseCode(input);
  if (code.length !== CODE_LENGTH) return 'CODE_FORMAT';
  for (const ch of code) if (!VALUE.has(ch)) return 'CODE_FORMAT';
  if (weightedSum(code, CODE_LENGTH) !== 0) return 'CODE_CHECKSUM';
  const kind = code[3] === 'B' ? 'batch' : code[3] === 'P' ? 'item' : null;
  if (!kind) return 'CODE_FORMAT';
  return { code, nodeId: code.slice(0, 3), kind };
}

/** The code as printed on labels: four groups of four. */
export function formatCode(code: string): string {
  return code.match(/.{1,4}/g)!.join(' ');
}
