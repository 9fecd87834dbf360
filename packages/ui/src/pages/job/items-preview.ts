/**
 * The first items of a job from the start of its JSON-lines feed (pure): whole lines only (the range read may cut
 * the last one), each parsed, a line that is not JSON shown as its text.
 */
export interface PreviewItem {
  /** The item's fields, or the raw line when it is not a JSON object. */
  fields: Record<string, unknown> | string;
}

export function parseItems(text: string, max: number, complete: boolean): PreviewItem[] {
  const lines = text.split('\n');
  // Without the whole file, the last line may be cut by the range: leave it out.
  if (!complete) lines.pop();
  const out: PreviewItem[] = [];
  for (const line of lines) {
    if (out.length >= max) break;
    if (line.trim() === '') continue;
    try {
      const v: unknown = JSON.parse(line);
      out.push({
        fields: typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : line,
      });
    } catch {
      out.push({ fields: line });
    }
  }
  return out;
}

/** The columns of a preview: every field seen, in first-seen order. */
export function columnsOf(items: readonly PreviewItem[]): string[] {
  const seen = new Set<string>();
  for (const i of items) if (typeof i.fields !== 'string') for (const k of Object.keys(i.fields)) seen.add(k);
  return [...seen];
}

/** A field's value as one short line. */
export function cellText(v: unknown, max = 120): string {
  const s = typeof v === 'string' ? v : (JSON.stringify(v) ?? '');
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
