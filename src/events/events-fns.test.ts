import { test } from 'node:test';
import assert from 'node:assert/strict';
import { identifierKey, indexEvent, shortVocab, codeUri, isCodeKey } from './events-fns.ts';
import { generateCode } from '../codes/code-scheme.ts';

test('identifier keys: every form of a Suyuan code keys to the bare code; foreign EPCs stay as given', () => {
  const code = generateCode('350', 'batch');
  assert.equal(identifierKey(codeUri(code)), code);
  assert.equal(identifierKey(`https://trace.fj.cn/t/${code}`), code);
  assert.equal(identifierKey(`https://trace.fj.cn/t/${code.toLowerCase()}?s=1`), code);
  assert.equal(isCodeKey(code), true);
  const bad = code.slice(0, 15) + (code[15] === '0' ? '1' : '0');
  assert.equal(identifierKey(codeUri(bad)), codeUri(bad), 'a code failing its check character is not ours');
  assert.equal(identifierKey('urn:epc:id:sgtin:0614141.107346.2017'), 'urn:epc:id:sgtin:0614141.107346.2017');
});

test('CBV vocabulary is indexed by its bare name in every spelling', () => {
  assert.equal(shortVocab('urn:epcglobal:cbv:bizstep:shipping', 'bizStep'), 'shipping');
  assert.equal(shortVocab('https://ns.gs1.org/cbv/BizStep-receiving', 'bizStep'), 'receiving');
  assert.equal(shortVocab('https://ref.gs1.org/cbv/BizStep-shipping', 'bizStep'), 'shipping');
  assert.equal(shortVocab('shipping', 'bizStep'), 'shipping');
  assert.equal(shortVocab('urn:epcglobal:cbv:disp:in_transit', 'disposition'), 'in_transit');
  assert.equal(shortVocab('https://example.com/steps/x', 'bizStep'), 'https://example.com/steps/x');
});

test('indexEvent collects identifiers by role and parties from source/destination lists', () => {
  const a = generateCode('350', 'batch');
  const b = generateCode('350', 'batch');
  const x = indexEvent({
    type: 'TransformationEvent', eventTime: '2026-01-01T00:00:00Z', eventTimeZoneOffset: '+08:00',
    inputQuantityList: [{ epcClass: codeUri(a), quantity: 10, uom: 'KGM' }, { epcClass: codeUri(a), quantity: 1, uom: 'KGM' }],
    outputEPCList: [codeUri(b)], bizStep: 'commissioning', bizLocation: { id: 'urn:suyuan:site:00000000-0000-4000-8000-000000000001' },
    sourceList: [{ type: 'owning_party', source: 'urn:suyuan:party:9144030071526726XG' }],
  });
  assert.deepEqual(x.ids, [{ key: b, role: 'o' }, { key: a, role: 'j' }]);
  assert.deepEqual(x.sources, ['9144030071526726XG']);
  assert.equal(x.bizLocation, 'urn:suyuan:site:00000000-0000-4000-8000-000000000001');
});
