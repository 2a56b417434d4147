import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { invalid } from '../platform/errors.ts';

/** An element or attribute name with its namespace resolved ('' when it has none). */
export interface XmlName { ns: string; local: string; prefix: string }
export interface XmlAttribute extends XmlName { value: string }
/** One element of a namespace-resolved XML tree; `text` is its own (trimmed) character data. */
export interface XmlElement extends XmlName {
  attributes: XmlAttribute[];
  children: XmlElement[];
  text: string;
}

const XML_NS = 'http://www.w3.org/XML/1998/namespace';

// preserveOrder keeps document order, which the EPCIS XSD makes significant; values stay strings.
const parser = new XMLParser({
  preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '', parseTagValue: false,
  parseAttributeValue: false, trimValues: true, ignoreDeclaration: true, ignorePiTags: true,
});

type FxpNode = Record<string, unknown> & { ':@'?: Record<string, string> };

const malformed = (message: string, details: Record<string, unknown> = {}) =>
  invalid('EPCIS_MALFORMED_XML', 'XML 格式错误，无法解析', `The XML is not well-formed: ${message}`, { message, ...details });

function splitName(qname: string): { prefix: string; local: string } {
  const i = qname.indexOf(':');
  return i < 0 ? { prefix: '', local: qname } : { prefix: qname.slice(0, i), local: qname.slice(i + 1) };
}

/** Resolves the names of one parsed node and its subtree; `inherited` maps prefixes in scope to URIs ('' = default). */
function build(node: FxpNode, inherited: ReadonlyMap<string, string>): XmlElement {
  const qname = Object.keys(node).find((k) => k !== ':@')!;
  const rawAttributes = node[':@'] ?? {};
  let scope = inherited;
  for (const [name, value] of Object.entries(rawAttributes)) {
    if (name === 'xmlns' || name.startsWith('xmlns:')) {
      if (scope === inherited) scope = new Map(inherited);
      (scope as Map<string, string>).set(name === 'xmlns' ? '' : name.slice(6), value);
    }
  }
  const resolve = (prefix: string, isAttribute: boolean): string => {
    if (prefix === 'xml') return XML_NS;
    // Unprefixed attributes are in no namespace; unprefixed elements take the default one.
    if (prefix === '' && isAttribute) return '';
    const ns = scope.get(prefix);
    if (ns === undefined && prefix !== '') throw malformed(`namespace prefix "${prefix}" is not declared`, { element: qname });
    return ns ?? '';
  };
  const { prefix, local } = splitName(qname);
  const attributes = Object.entries(rawAttributes)
    .filter(([name]) => name !== 'xmlns' && !name.startsWith('xmlns:'))
    .map(([name, value]) => {
      const a = splitName(name);
      return { ...a, ns: resolve(a.prefix, true), value };
    });
  const children: XmlElement[] = [];
  let text = '';
  for (const child of (node[qname] as FxpNode[]) ?? []) {
    if ('#text' in child) text += String(child['#text']);
    else children.push(build(child, scope));
  }
  return { ns: resolve(prefix, false), local, prefix, attributes, children, text: text.trim() };
}

/** Parses XML text into a namespace-resolved element tree, refusing anything that is not well-formed. */
export function parseXmlTree(text: string): XmlElement {
  const verdict = XMLValidator.validate(text);
  if (verdict !== true) throw malformed(verdict.err.msg, { line: verdict.err.line, column: verdict.err.col });
  let nodes: FxpNode[];
  try {
    nodes = parser.parse(text) as FxpNode[];
  } catch (e) {
    // The parser's own limits (entity expansion, nesting depth) end up here.
    throw malformed((e as Error).message);
  }
  const roots = nodes.filter((n) => !('#text' in n));
  if (roots.length !== 1) throw malformed(`expected one root element, found ${roots.length}`);
  if (nodes.some((n) => '#text' in n && String(n['#text']).trim() !== '')) throw malformed('text outside the root element');
  return build(roots[0], new Map());
}
