// Header fields as IMAP needs them: raw (as sent, for ENVELOPE and HEADER.FIELDS), unfolded,
// and Content-Type style values split into value + parameters (RFC 2045 §5.1), with RFC 2231
// continuations joined the way Dovecot reports them ("name*" "utf-8''%E6%8A%A5.pdf").

export interface HeaderField {
  /** Lower-cased field name. */
  key: string;
  /** The whole field as sent, folding kept, without the final CRLF ("binary" string). */
  line: string;
}

/**
 * Splits a header block (binary string) into fields; lines starting with WSP continue the
 * previous one. With `only` (lower-case names), just those fields, as a filter of the whole
 * list would give — the others are passed over without being copied out.
 */
export function splitHeaderFields(block: string, only?: FieldNames): HeaderField[] {
  const fields: HeaderField[] = [];
  /** The field continuation lines go to; null after a field `only` leaves out. */
  let last: HeaderField | null = null;
  let seenField = false;
  // lines end at LF, a CR before it dropped (as a split on /\r?\n/)
  for (let pos = 0; pos < block.length; ) {
    let lf = block.indexOf('\n', pos);
    let end = lf;
    if (lf < 0) end = lf = block.length;
    else if (lf > pos && block.charCodeAt(lf - 1) === 0x0d) end = lf - 1;
    const start = pos;
    pos = lf + 1;
    if (end === start) continue;
    const first = block.charCodeAt(start);
    if ((first === 0x20 || first === 0x09) && seenField) {
      if (last) last.line += '\r\n' + block.slice(start, end);
      continue;
    }
    const colon = block.indexOf(':', start);
    if (colon <= start || colon >= end) continue;
    seenField = true;
    if (only && !only.mayHave(block, start)) {
      last = null;
      continue;
    }
    const key = block.slice(start, colon).trim().toLowerCase();
    if (only && !only.names.has(key)) {
      last = null;
      continue;
    }
    last = { key, line: block.slice(start, end) };
    fields.push(last);
  }
  return fields;
}

/** Field names to pick out of a header, with a quick test that rules most other names out uncopied. */
export class FieldNames {
  readonly names: ReadonlySet<string>;
  private readonly firstChars = new Set<number>();

  constructor(names: string[]) {
    this.names = new Set(names);
    for (const name of names) this.firstChars.add(name.charCodeAt(0));
  }

  /** Could the name starting at block[start] be one of these? (By its first letter.) */
  mayHave(block: string, start: number): boolean {
    const c = block.charCodeAt(start);
    // a name after characters trim() drops is left to the full test
    if ((c >= 0x09 && c <= 0x0d) || c === 0x20 || c === 0xa0) return true;
    return this.firstChars.has(c >= 0x41 && c <= 0x5a ? c + 0x20 : c);
  }
}

/** The value of a field: after the colon, unfolded (RFC 5322 §2.2.3), outer whitespace trimmed. */
export function fieldValue(field: HeaderField): string {
  const value = field.line.slice(field.line.indexOf(':') + 1);
  return (value.includes('\n') ? value.replace(/\r?\n(?=[ \t])/g, '') : value).trim();
}

export function firstValue(fields: HeaderField[], key: string): string | null {
  const field = fields.find((f) => f.key === key);
  return field ? fieldValue(field) : null;
}

export interface ParameterizedValue {
  value: string;
  params: Array<[string, string]>;
}

/** "text/plain; charset=utf-8; name*0*=utf-8''%E6; name*1*=%2E" → value and ordered params. */
export function parseParameterized(input: string): ParameterizedValue {
  const text = input.replace(/\([^()]*\)/g, ' ');
  let pos = 0;
  const skipSpace = () => {
    while (pos < text.length && /[ \t\r\n]/.test(text[pos]!)) pos++;
  };
  const readToken = (stop: string) => {
    const start = pos;
    while (pos < text.length && !stop.includes(text[pos]!)) pos++;
    return text.slice(start, pos).trim();
  };
  const readQuoted = () => {
    pos++; // opening quote
    let out = '';
    while (pos < text.length && text[pos] !== '"') {
      if (text[pos] === '\\' && pos + 1 < text.length) pos++;
      out += text[pos++];
    }
    pos++; // closing quote
    return out;
  };
  skipSpace();
  const value = readToken(';');
  const raw: Array<[string, string]> = [];
  while (pos < text.length) {
    if (text[pos] === ';') pos++;
    skipSpace();
    if (pos >= text.length) break;
    const name = readToken('=;').toLowerCase();
    if (text[pos] !== '=') {
      continue;
    }
    pos++;
    skipSpace();
    const paramValue = text[pos] === '"' ? readQuoted() : readToken(';');
    if (name) raw.push([name, paramValue]);
    skipSpace();
    while (pos < text.length && text[pos] !== ';') pos++;
  }
  return { value, params: joinContinuations(raw) };
}

/** RFC 2231 §3: name*0, name*1 … (or name*0*, name*1* …) joined into one name / name* parameter. */
function joinContinuations(raw: Array<[string, string]>): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const groups = new Map<string, { index: number; extended: boolean; pieces: Array<[number, string]> }>();
  for (const [name, value] of raw) {
    const match = /^(.+?)\*(\d+)(\*?)$/.exec(name);
    if (!match) {
      out.push([name, value]);
      continue;
    }
    const base = match[1]!;
    let group = groups.get(base);
    if (!group) {
      group = { index: out.length, extended: false, pieces: [] };
      groups.set(base, group);
      out.push([base, '']);
    }
    if (match[2] === '0' && match[3]) group.extended = true;
    group.pieces.push([Number(match[2]), value]);
  }
  for (const [base, group] of groups) {
    const joined = group.pieces.sort((a, b) => a[0] - b[0]).map(([, v]) => v).join('');
    out[group.index] = [group.extended ? `${base}*` : base, joined];
  }
  return out;
}
