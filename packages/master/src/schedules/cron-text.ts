/**
 * Cron expressions in words, for error messages and previews: how many fields were given and what each position
 * means, since a 6-field expression starts with seconds (croner's reading) where a user may expect a year.
 */
const FIVE = ['minute', 'hour', 'day-of-month', 'month', 'day-of-week'];
const SIX = ['second', ...FIVE];
/** croner's field names in its messages → ours. */
const CRONER_NAMES: Record<string, string> = {
  second: 'second',
  minute: 'minute',
  hour: 'hour',
  day: 'day-of-month',
  dayOfMonth: 'day-of-month',
  month: 'month',
  dayOfWeek: 'day-of-week',
};

const fieldsOf = (cron: string) => cron.trim().split(/\s+/).filter(Boolean);
const layoutOf = (n: 5 | 6) => `${n} fields are ${(n === 5 ? FIVE : SIX).join(' ')}`;

/** Why croner refused `cron`, said with the field count and the layout (never croner's 5-or-6-or-7 wording). */
export function cronProblem(cron: string, cronerMessage: string): string {
  const fields = fieldsOf(cron);
  const n = fields.length;
  const head = `cron '${cron}' is invalid`;
  if (cron.trim().startsWith('@')) return `${head}: ${cronerMessage.replace(/^CronPattern: /, '')}`;
  if (n !== 5 && n !== 6) {
    return `${head}: ${n} field${n === 1 ? '' : 's'} given; expected 5 (${FIVE.join(' ')}) or 6 (${SIX.join(' ')})`;
  }
  const names = n === 5 ? FIVE : SIX;
  const layout = `the ${layoutOf(n)}${n === 6 ? ' (a 6-field expression starts with seconds)' : ''}`;
  const badValue = /Invalid value for (\w+): (.*)$/.exec(cronerMessage);
  const illegal = /entry \d+ \((.*)\) contains illegal characters/.exec(cronerMessage);
  const name = badValue ? CRONER_NAMES[badValue[1]!] : undefined;
  const value = badValue?.[2] ?? illegal?.[1];
  const position = name ? names.indexOf(name) : value !== undefined ? fields.indexOf(value) : -1;
  // The field as written: croner's value may be its own (months counted from 0).
  if (position >= 0) {
    return `${head}: ${names[position]} (field ${position + 1} of ${n}) can't be '${fields[position]}'; ${layout}`;
  }
  return `${head}: ${cronerMessage.replace(/^CronPattern: /, '')}; ${layout}`;
}

/**
 * A schedule's timing in words: `every 30 seconds`, `every minute`, or each field named (`second 0, minute 30,
 * …`), so a preview shows how the expression was read.
 */
export function describeTiming(t: { cron: string | null; intervalSeconds: number | null }): string {
  if (t.cron === null) return every(t.intervalSeconds ?? 0, 'second');
  const fields = fieldsOf(t.cron);
  if (fields.length !== 5 && fields.length !== 6) return `cron ${t.cron}`;
  const [first, ...rest] = fields;
  const unit = fields.length === 6 ? 'second' : 'minute';
  if (rest.every((f) => f === '*')) {
    if (first === '*') return `every ${unit}`;
    const step = /^\*\/(\d+)$/.exec(first!);
    // Only a step that divides 60 is a steady period (*/7 restarts each minute or hour: 56, then 0).
    if (step && 60 % Number(step[1]) === 0) return every(Number(step[1]), unit);
  }
  const names = fields.length === 5 ? FIVE : SIX;
  const words = fields.map((f, i) => `${names[i]} ${f}`).join(', ');
  return fields.length === 6 ? `${words} (6 fields: the first is seconds)` : words;
}

const every = (n: number, unit: string) => (n === 1 ? `every ${unit}` : `every ${n} ${unit}s`);
