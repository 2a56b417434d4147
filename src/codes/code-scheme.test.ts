import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CODE_ALPHABET, CODE_LENGTH, PAYLOAD_LENGTH, codeCheckChar, formatCode, generateCode, normaliseCode, parseCode } from './code-scheme.ts';

const SAMPLES = 2000;
const codes = Array.from({ length: SAMPLES }, (_, i) => generateCode('350', i % 2 ? 'item' : 'batch'));
const swap = (s: string, i: number, j: number) => {
  const a = [...s];
  [a[i], a[j]] = [a[j], a[i]];
  return a.join('');
};

test('layout: node id, kind, 11 random characters, check character; a golden vector', () => {
  assert.equal(CODE_ALPHABET.length, 31);
  assert.equal(new Set(CODE_ALPHABET).size, 31);
  for (const banned of 'IOSVZ') assert.ok(!CODE_ALPHABET.includes(banned), banned);
  for (const c of codes) {
    assert.equal(c.length, CODE_LENGTH);
    assert.equal(c.slice(0, 3), '350');
    assert.ok(c[3] === 'B' || c[3] === 'P');
    assert.equal(c.at(-1), codeCheckChar(c.slice(0, 15)));
    const p = parseCode(c);
    assert.deepEqual(p, { code: c, nodeId: '350', kind: c[3] === 'B' ? 'batch' : 'item' });
  }
  // Computed by hand from the definition: sum of value × 3^(15-i) mod 31 is 0 over all 16 characters.
  assert.equal(codeCheckChar('350B7K2MQX9D4HR'), 'F');
  assert.deepEqual(parseCode('350B7K2MQX9D4HRF'), { code: '350B7K2MQX9D4HRF', nodeId: '350', kind: 'batch' });
});

test(`every single-character substitution in ${SAMPLES} codes is rejected`, () => {
  let checked = 0;
  for (const c of codes) {
    for (let i = 0; i < CODE_LENGTH; i++) {
      for (const ch of CODE_ALPHABET) {
        if (ch === c[i]) continue;
        const typo = c.slice(0, i) + ch + c.slice(i + 1);
        const p = parseCode(typo);
        // A changed kind character can fail as CODE_FORMAT; everything else must fail the check.
        assert.ok(p === 'CODE_CHECKSUM' || (i === 3 && p === 'CODE_FORMAT'), `${c} → ${typo} accepted`);
        checked++;
      }
    }
  }
  assert.equal(checked, SAMPLES * CODE_LENGTH * 30);
});

test(`every adjacent swap, and every transposition at any distance, in ${SAMPLES} codes is rejected`, () => {
  let adjacent = 0;
  for (const c of codes) {
    for (let i = 0; i < CODE_LENGTH; i++) {
      for (let j = i + 1; j < CODE_LENGTH; j++) {
        if (c[i] === c[j]) continue;
        const t = swap(c, i, j);
        assert.notEqual(typeof parseCode(t), 'object', `${c} → ${t} accepted`);
        if (j === i + 1) adjacent++;
      }
    }
  }
  assert.ok(adjacent > SAMPLES * 14, `${adjacent} adjacent swaps checked`);
});

test('characters outside the alphabet and wrong lengths are CODE_FORMAT; a valid sum with an unknown kind too', () => {
  const c = codes[0];
  for (const bad of ['S', 'V', 'Z', '#', 'é']) assert.equal(parseCode(c.slice(0, 5) + bad + c.slice(6)), 'CODE_FORMAT');
  assert.equal(parseCode(c.slice(0, 15)), 'CODE_FORMAT');
  assert.equal(parseCode(c + '0'), 'CODE_FORMAT');
  assert.equal(parseCode(''), 'CODE_FORMAT');
  const body = '350X' + c.slice(4, 15);
  assert.equal(parseCode(body + codeCheckChar(body)), 'CODE_FORMAT');
});

test('random characters are spread evenly over the alphabet (chi-square)', () => {
  const counts = new Map<string, number>([...CODE_ALPHABET].map((ch) => [ch, 0]));
  const many = Array.from({ length: 20_000 }, () => generateCode('350', 'item'));
  for (const c of many) for (const ch of c.slice(4, 4 + PAYLOAD_LENGTH)) counts.set(ch, counts.get(ch)! + 1);
  const expected = (many.length * PAYLOAD_LENGTH) / 31;
  const chi2 = [...counts.values()].reduce((s, n) => s + (n - expected) ** 2 / expected, 0);
  // 30 degrees of freedom: P(chi2 > 90) ≈ 1e-7, so this fails only for a biased generator.
  assert.ok(chi2 < 90, `chi-square ${chi2.toFixed(1)}`);
  for (const [ch, n] of counts) assert.ok(Math.abs(n - expected) < expected * 0.08, `${ch}: ${n} vs ${expected.toFixed(0)}`);
  assert.equal(new Set(many).size, many.length);
});

test('normalisation: spaces, hyphens, lower case, O→0 and I→1; printing in groups of four', () => {
  const c = '350B7K2MQX9D4HRF';
  assert.equal(formatCode(c), '350B 7K2M QX9D 4HRF');
  assert.equal(normaliseCode(' 350b 7k2m-qx9d\t4hrf '), c);
  assert.deepEqual(parseCode('350b-7k2m-qx9d-4hrf'), { code: c, nodeId: '350', kind: 'batch' });
  assert.deepEqual(parseCode(formatCode(c)), { code: c, nodeId: '350', kind: 'batch' });
  // The letter O is read as the digit 0, the letter I as the digit 1.
  const withZero = codes.find((x) => x.slice(1).includes('0') || x.slice(1).includes('1'))!;
  const typed = withZero[0] + withZero.slice(1).replace(/0/g, 'o').replace(/1/g, 'I');
  assert.deepEqual(parseCode(typed), parseCode(withZero));
  assert.equal(normaliseCode('35OB'), '350B');
});
