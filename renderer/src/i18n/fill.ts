/** Fills {name} placeholders of a catalogue message; unknown names stay as they are. Pure. */
export function fill(template: string, values: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}
