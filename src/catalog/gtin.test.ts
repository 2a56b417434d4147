import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkGtin, gs1CheckDigit, toGtin14 } from './gtin.ts';

// Published examples: EAN-8 and EAN-13 from GS1 / product packaging, a UPC-A, and the GS1 Digital Link sample GTIN-14.
const VALID = ['96385074', '40170725', '036000291452', '4006381333931', '6901234567892', '09506000134352', '00012345600012'];

test('GTIN: published GTIN-8, -12, -13 and -14 examples validate', () => {
  for (const g of VALID) assert.equal(checkGtin(g), null, g);
  assert.deepEqual(new Set(VALID.map((g) => g.length)), new Set([8, 12, 13, 14]));
  assert.equal(gs1CheckDigit('400638133393'), 1);
});

test('GTIN: every single-digit substitution is caught as GTIN_CHECKSUM', () => {
  let caught = 0;
  for (const good of VALID) {
    for (let i = 0; i < good.length; i++) for (const d of '0123456789') {
      if (d === good[i]) continue;
      const bad = good.slice(0, i) + d + good.slice(i + 1);
      assert.equal(checkGtin(bad), 'GTIN_CHECKSUM', bad);
      caught++;
    }
  }
  assert.equal(caught, VALID.reduce((n, g) => n + g.length * 9, 0));
});

test('GTIN: wrong lengths and non-digits are GTIN_FORMAT', () => {
  for (const bad of ['', '9638507', '963850740', '0123456789', '01234567890', '400638133393100', '400638133393A', ' 4006381333931', '+96385074', '９６３８５０７４']) {
    assert.equal(checkGtin(bad), 'GTIN_FORMAT', JSON.stringify(bad));
  }
});

test('GTIN: shorter forms pad to the same GTIN-14', () => {
  assert.equal(toGtin14('96385074'), '00000096385074');
  assert.equal(toGtin14('036000291452'), '00036000291452');
  assert.equal(toGtin14('9506000134352'), '09506000134352');
  assert.equal(toGtin14('09506000134352'), '09506000134352');
  // Padding keeps the check digit valid: leading zeros carry no weight.
  for (const g of VALID) assert.equal(checkGtin(toGtin14(g)), null, g);
});
