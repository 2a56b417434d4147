import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalDigitalLink, canonicalGs1Uri, epcUriToDigitalLink, equivalentEpcUris } from './epc-uri.ts';

// EPC URNs with the GS1 keys the EPC Tag Data Standard derives them from (company prefix 0614141).
const EPC_TO_DL: [string, string][] = [
  ['urn:epc:id:sgtin:0614141.812345.6789', 'https://id.gs1.org/01/80614141123458/21/6789'],
  ['urn:epc:id:sscc:0614141.1234567890', 'https://id.gs1.org/00/106141412345678908'],
  ['urn:epc:id:sgln:0614141.12345.400', 'https://id.gs1.org/414/0614141123452/254/400'],
  ['urn:epc:id:sgln:0614141.12345.0', 'https://id.gs1.org/414/0614141123452'],
  ['urn:epc:id:grai:0614141.12345.400', 'https://id.gs1.org/8003/00614141123452400'],
  ['urn:epc:id:giai:0614141.12345400', 'https://id.gs1.org/8004/061414112345400'],
  ['urn:epc:id:gsrn:0614141.1234567890', 'https://id.gs1.org/8018/061414112345678902'],
  ['urn:epc:id:gsrnp:0614141.1234567890', 'https://id.gs1.org/8017/061414112345678902'],
  ['urn:epc:id:gdti:0614141.12345.400', 'https://id.gs1.org/253/0614141123452400'],
  ['urn:epc:id:cpi:0614141.123ABC.123456789', 'https://id.gs1.org/8010/0614141123ABC/8011/123456789'],
  ['urn:epc:id:sgcn:0614141.12345.04711', 'https://id.gs1.org/255/061414112345204711'],
  ['urn:epc:id:ginc:0614141.xyz3311cba', 'https://id.gs1.org/401/0614141xyz3311cba'],
  ['urn:epc:id:gsin:0614141.123456789', 'https://id.gs1.org/402/06141411234567890'],
  ['urn:epc:id:itip:0614141.812345.01.02.987', 'https://id.gs1.org/8006/806141411234580102/21/987'],
  ['urn:epc:id:upui:0614141.812345.51qIgY', 'https://id.gs1.org/01/80614141123458/235/51qIgY'],
  ['urn:epc:id:pgln:0614141.12345', 'https://id.gs1.org/417/0614141123452'],
  ['urn:epc:class:lgtin:0614141.812345.ABC1', 'https://id.gs1.org/01/80614141123458/10/ABC1'],
  ['urn:epc:idpat:sgtin:0614141.812345.*', 'https://id.gs1.org/01/80614141123458'],
  ['urn:epc:idpat:grai:0614141.12345.*', 'https://id.gs1.org/8003/00614141123452'],
  ['urn:epc:idpat:itip:0614141.812345.01.02.*', 'https://id.gs1.org/8006/806141411234580102'],
];

test('EPC URI: pure identity, class and pattern URNs become canonical Digital Links', () => {
  for (const [urn, link] of EPC_TO_DL) assert.equal(epcUriToDigitalLink(urn), link, urn);
});

test('EPC URI: company prefixes of every length give the same GTIN', () => {
  for (const urn of ['urn:epc:id:sgtin:061414.8112345.1', 'urn:epc:id:sgtin:0614141.812345.1', 'urn:epc:id:sgtin:061414112.8345.1', 'urn:epc:id:sgtin:061414112345.8.1']) {
    assert.equal(epcUriToDigitalLink(urn), 'https://id.gs1.org/01/80614141123458/21/1', urn);
  }
});

test('EPC URI: serial characters Digital Link must escape are escaped, existing escapes kept', () => {
  assert.equal(epcUriToDigitalLink('urn:epc:id:sgtin:0614141.812345.a!(b)*+,c:%2F%25'), 'https://id.gs1.org/01/80614141123458/21/a%21%28b%29%2A%2B%2Cc%3A%2F%25');
});

test('EPC URI: malformed URNs and other values are not converted', () => {
  for (const bad of [
    'urn:epc:id:sgtin:0614141.81234.1', // company prefix + item reference must be 13 digits
    'urn:epc:id:sgtin:06141.8123456.1', // company prefix has at least 6 digits
    'urn:epc:id:sgtin:0614141.812345.', // no serial
    'urn:epc:id:sgtin:0614141.812345.a#b', // '#' must be escaped in an EPC URI
    'urn:epc:id:sscc:0614141.123456789',
    'urn:epc:id:unknown:0614141.1.1',
    'urn:epc:tag:sgtin-96:1.0614141.812345.6789',
    'urn:epcglobal:cbv:bt:0614141073467:1152',
    'OBSERVE',
  ]) assert.equal(epcUriToDigitalLink(bad), undefined, bad);
});

test('Digital Link: domain, short names, query, CPV and a lot beside a serial are normalised away', () => {
  const cases: [string, string][] = [
    ['https://id.example.com/01/09506000134352/21/ABC', 'https://id.gs1.org/01/09506000134352/21/ABC'],
    ['http://example.org/shop/gtin/9506000134352/ser/ABC?linkType=all#x', 'https://id.gs1.org/01/09506000134352/21/ABC'],
    ['https://example.org/01/9506000134352/22/2A/10/LOT1/21/ABC', 'https://id.gs1.org/01/09506000134352/21/ABC'],
    ['https://example.org/01/09506000134352/10/LOT1', 'https://id.gs1.org/01/09506000134352/10/LOT1'],
    ['https://id.gs1.org/01/96385074', 'https://id.gs1.org/01/00000096385074'],
    ['https://id.gs1.de/414/4012345000115/', 'https://id.gs1.org/414/4012345000115'],
    ['https://id.gs1.org/01/04012345111118/21/98%22', 'https://id.gs1.org/01/04012345111118/21/98%22'],
  ];
  for (const [input, canonical] of cases) assert.equal(canonicalDigitalLink(input), canonical, input);
});

test('Digital Link: what is not a valid GS1 key path is left alone', () => {
  for (const other of [
    'http://transaction.acme.com/po/12345678',
    'http://www.opengis.net/def/crs/EPSG/0/27700',
    'https://id.gs1.org/01/09506000134', // 11 digits: not a GTIN in any length
    'https://id.gs1.org/01/09506000134352/99/x', // no such qualifier for a GTIN
    'https://id.gs1.org/00/106141412345678908/21/1',
    'urn:epc:id:sgtin:0614141.812345.6789',
  ]) assert.equal(canonicalDigitalLink(other), undefined, other);
});

test('canonical form is a fixed point: EPC URN and its Digital Link normalise alike', () => {
  for (const [urn, link] of EPC_TO_DL) {
    assert.equal(canonicalGs1Uri(link), link, link);
    assert.equal(canonicalGs1Uri(urn), canonicalGs1Uri(link.replace('https://id.gs1.org/', 'https://brand.example/')), urn);
  }
});

test('equivalent EPC URNs: every pure identity and class URN is found again from its Digital Link, on any domain', () => {
  for (const [urn, link] of EPC_TO_DL.filter(([u]) => !u.startsWith('urn:epc:idpat:'))) {
    for (const form of [link, link.replace('https://id.gs1.org/', 'https://brand.example/'), urn]) {
      const found = equivalentEpcUris(form);
      assert.ok(found.includes(urn), `${form} → ${found.join(', ')}`);
      for (const other of found) assert.equal(epcUriToDigitalLink(other), link, `${other} is the same identifier`);
    }
  }
  // One candidate per company-prefix length that gives a well-formed URN, escapes back in EPC form.
  assert.deepEqual(equivalentEpcUris('https://id.gs1.org/01/80614141123458/21/a%21b'), [6, 7, 8, 9, 10, 11, 12].map((n) => {
    const digits = '0614141123458'.slice(0, 12);
    return `urn:epc:id:sgtin:${digits.slice(0, n)}.8${digits.slice(n)}.a!b`;
  }));
  for (const other of ['https://id.gs1.org/01/80614141123458', 'urn:epc:idpat:sgtin:0614141.812345.*', 'http://transaction.acme.com/po/1', 'OBSERVE']) {
    assert.deepEqual(equivalentEpcUris(other), [], other);
  }
});
