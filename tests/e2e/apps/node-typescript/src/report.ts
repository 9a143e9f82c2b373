export interface Line {
  label: string;
  value: unknown;
}

export function render(lines: Line[]): string {
  const width = Math.max(...lines.map((l) => l.label.length));
  return lines.map((l) => `${l.label.padEnd(width)} : ${String(l.value)}`).join('\n');
}
