import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canMove, complaintReference, photoType } from './complaints-fns.ts';
import { complaintPolicy } from '../accounts/policies.ts';

test('photos are recognised by their bytes: JPEG, PNG, WebP; anything else is not', () => {
  assert.equal(photoType(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10])), 'image/jpeg');
  assert.equal(photoType(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0])), 'image/png');
  assert.equal(photoType(Buffer.concat([Buffer.from('RIFF'), Buffer.from([1, 2, 3, 4]), Buffer.from('WEBPVP8 ')])), 'image/webp');
  assert.equal(photoType(Buffer.from('GIF89a......')), null);
  assert.equal(photoType(Buffer.from('RIFF....WAVE')), null, 'a RIFF that is not WebP');
  assert.equal(photoType(Buffer.from([0x89, 0x50, 0x4e])), null, 'too short to be a PNG');
  assert.equal(photoType(Buffer.alloc(0)), null);
});

test('reference numbers carry the China day of receipt and the number', () => {
  assert.equal(complaintReference('42', new Date('2026-11-22T16:30:00Z')), 'TS-20261123-000042', 'after 16:00 UTC it is the next day in China');
  assert.equal(complaintReference(1234567, new Date('2026-11-22T15:59:59Z')), 'TS-20261122-1234567');
});

test('status only moves forward, and regulators handle their jurisdiction', () => {
  assert.deepEqual([canMove('received', 'investigating'), canMove('received', 'closed'), canMove('investigating', 'closed')], [true, true, true]);
  assert.deepEqual([canMove('investigating', 'received'), canMove('closed', 'investigating'), canMove('closed', 'closed'), canMove('investigating', 'investigating')], [false, false, false, false]);
  const c = { division_code: '350102' };
  assert.equal(complaintPolicy.handle({ role: 'regulator', jurisdiction: '350100' }, c), true);
  assert.equal(complaintPolicy.handle({ role: 'regulator', jurisdiction: '350000' }, c), true);
  assert.equal(complaintPolicy.handle({ role: 'regulator', jurisdiction: '000000' }, c), true);
  assert.equal(complaintPolicy.handle({ role: 'regulator', jurisdiction: '350200' }, c), false);
  assert.equal(complaintPolicy.handle({ role: 'platform-admin' }, c), true);
  assert.equal(complaintPolicy.handle({ role: 'operator-admin', operatorId: 'x' }, c), false);
});
