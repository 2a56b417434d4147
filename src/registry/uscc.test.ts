import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkUscc, usccCheckChar, normaliseUscc, USCC_ALPHABET } from './uscc.ts';

test('USCC: published examples validate', () => {
  // Check characters computed by the GB 32100 rule; letters are legal in positions 1–2 (e.g. N… collectives).
  for (const body of ['91350100M000100Y4', '91110108MA01KP3E6', 'N2350102MA2Y8BX1C', '12100000400000338']) {
    const code = body + usccCheckChar(body);
    assert.equal(checkUscc(code), null, code);
  }
  // Real codes printed on business licences (Shenzhen Tencent, Alibaba China).
  for (const real of ['9144030071526726XG', '91330100716105852F']) assert.equal(checkUscc(real), null, real);
});

test('USCC: wrong length, alphabet and check character are told apart', () => {
  assert.equal(checkUscc('91350100M000100Y4'), 'USCC_LENGTH');
  assert.equal(checkUscc('91350100M000100YO3'), 'USCC_CHARSET');
  assert.equal(checkUscc('91350100M000100Y44'), 'USCC_CHECKSUM');
  assert.equal(normaliseUscc(' 91350100m000100y43 '), '91350100M000100Y43');
});

test('USCC: every single-character substitution is caught', () => {
  const good = '91350100M000100Y43';
  let caught = 0;
  for (let i = 0; i < 18; i++) for (const ch of USCC_ALPHABET) {
    if (ch === good[i]) continue;
    const bad = good.slice(0, i) + ch + good.slice(i + 1);
    assert.notEqual(checkUscc(bad), null, bad);
    caught++;
  }
  assert.equal(caught, 18 * 30);
});
