// Independent readers for what the LAN web service makes: XML by Python's xml.etree (namespaces
// kept as {uri}name) and property lists by Python's plistlib, the reader Apple's format is
// documented against. The test then checks the result field by field.
import { run } from './pop3.js';

export interface XmlNode {
  /** "{namespace}name", or the bare name outside any namespace. */
  tag: string;
  attrib: Record<string, string>;
  text: string;
  children: XmlNode[];
}

const XML_READER = `
import sys, json, xml.etree.ElementTree as ET
def tree(e):
    return {"tag": e.tag, "attrib": e.attrib, "text": (e.text or "").strip(), "children": [tree(c) for c in e]}
print(json.dumps(tree(ET.fromstring(sys.stdin.buffer.read()))))
`;

const PLIST_READER = `
import sys, json, plistlib, base64
def plain(v):
    if isinstance(v, bytes): return {"$data": base64.b64encode(v).decode()}
    if isinstance(v, dict): return {k: plain(x) for k, x in v.items()}
    if isinstance(v, list): return [plain(x) for x in v]
    return v
print(json.dumps(plain(plistlib.loads(base64.b64decode(sys.stdin.read())))))
`;

async function python(script: string, input: string): Promise<unknown> {
  const result = await run('python3', ['-c', script], { input });
  if (result.code !== 0) throw new Error(`python3 could not read it: ${result.stderr.trim().split('\n').at(-1)}`);
  return JSON.parse(result.stdout);
}

export async function readXml(text: string): Promise<XmlNode> {
  return (await python(XML_READER, text)) as XmlNode;
}

/** Data values come back as { $data: base64 }. */
export async function readPlist(bytes: Buffer): Promise<Record<string, unknown>> {
  return (await python(PLIST_READER, bytes.toString('base64'))) as Record<string, unknown>;
}

/** The children of `node` with this tag. */
export function childrenOf(node: XmlNode, tag: string): XmlNode[] {
  return node.children.filter((child) => child.tag === tag);
}

/** The one child with this tag (throws when there is none). */
export function childOf(node: XmlNode, tag: string): XmlNode {
  const found = childrenOf(node, tag)[0];
  if (!found) throw new Error(`no <${tag}> in <${node.tag}>: ${node.children.map((c) => c.tag).join(', ')}`);
  return found;
}

/** A flat record of a node's leaf children: { hostname: 'mail.x', port: '993', … }. */
export function fieldsOf(node: XmlNode, namespace = ''): Record<string, string> {
  return Object.fromEntries(node.children.filter((c) => !c.children.length).map((c) => [c.tag.replace(namespace, ''), c.text]));
}
