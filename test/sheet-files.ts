import assert from 'node:assert/strict';

/** CSV text (RFC 4180 quoting, CRLF) from rows of cells; null and undefined cells are empty. */
export function csvText(rows: ReadonlyArray<ReadonlyArray<string | number | null | undefined>>): string {
  const cell = (c: string | number | null | undefined) => (c == null ? '' : /[",\r\n]/.test(String(c)) ? `"${String(c).replace(/"/g, '""')}"` : String(c));
  return rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

/** UTF-8 bytes with a byte-order mark, as spreadsheet programs save "CSV UTF-8". */
export function utf8Bom(text: string): Uint8Array {
  return new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(text)]);
}

/** GB18030 bytes for test files: Node can decode GB18030 but not encode it, so invert the decoder over the two-byte range. */
export function encodeGb18030(text: string): Uint8Array {
  const table = new Map<string, number[]>();
  const dec = new TextDecoder('gb18030');
  for (let hi = 0x81; hi <= 0xfe; hi++) {
    for (let lo = 0x40; lo <= 0xfe; lo++) if (lo !== 0x7f) table.set(dec.decode(Uint8Array.of(hi, lo)), [hi, lo]);
  }
  const out: number[] = [];
  for (const ch of text) {
    if (ch.charCodeAt(0) < 0x80) out.push(ch.charCodeAt(0));
    else out.push(...(table.get(ch) ?? assert.fail(`no GB18030 two-byte code for ${ch}`)));
  }
  return Uint8Array.from(out);
}
