/** The timing part of the schedule form: cron or interval, the zone, and the next fires as you type. */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { describeError } from '../../api/errors.js';
import { CronPreview, type PreviewState } from './cron-preview.js';
import type { FormErrors, ScheduleForm } from './schedule-form.js';
import { previewFires } from '../../api/schedules.js';
import { NextFires } from './next-fires.js';

/** Every zone the browser knows, UTC first (some browsers leave it out of the list). */
function timeZones(): string[] {
  const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return ['UTC', ...all.filter((z) => z !== 'UTC')];
}

type Setter = <K extends keyof ScheduleForm>(key: K, value: ScheduleForm[K]) => void;

export function CronField({ form, set, errors }: { form: ScheduleForm; set: Setter; errors: FormErrors }) {
  const zones = useMemo(timeZones, []);
  const [state, setState] = useState<PreviewState>({ status: 'idle' });
  const preview = useRef<CronPreview | null>(null);
  useEffect(() => {
    const p = new CronPreview({
      ask: (input) => previewFires({ ...input, count: 5 }),
      onChange: setState,
      delayMs: 300,
    });
    preview.current = p;
    return () => p.dispose();
  }, []);
  useEffect(() => {
    const interval = Number(form.intervalSeconds);
    preview.current?.input({
      cron: form.timing === 'cron' ? form.cron : null,
      intervalSeconds: form.timing === 'interval' && Number.isInteger(interval) && interval >= 1 ? interval : null,
      timezone: form.timezone,
    });
  }, [form.timing, form.cron, form.intervalSeconds, form.timezone]);

  return (
    <fieldset class="cron-field">
      <legend>When</legend>
      <div class="inline-form">
        <label>
          Timing
          <select
            name="timing"
            value={form.timing}
            onChange={(e) => set('timing', e.currentTarget.value as ScheduleForm['timing'])}
          >
            <option value="cron">cron expression</option>
            <option value="interval">every N seconds</option>
          </select>
        </label>
        {form.timing === 'cron' ? (
          <label>
            Cron
            <input
              name="cron"
              placeholder="0 3 * * *"
              value={form.cron}
              aria-invalid={errors.cron !== undefined || state.status === 'error'}
              aria-describedby="cron-preview"
              onInput={(e) => set('cron', e.currentTarget.value)}
            />
          </label>
        ) : (
          <label>
            Every (seconds)
            <input
              name="intervalSeconds"
              inputMode="numeric"
              value={form.intervalSeconds}
              onInput={(e) => set('intervalSeconds', e.currentTarget.value)}
            />
          </label>
        )}
        <label>
          Zone
          <select name="timezone" value={form.timezone} onChange={(e) => set('timezone', e.currentTarget.value)}>
            {zones.map((z) => (
              <option key={z} value={z}>
                {z}
              </option>
            ))}
          </select>
        </label>
      </div>
      {errors.cron && <p class="field-error">{errors.cron}</p>}
      {errors.intervalSeconds && <p class="field-error">{errors.intervalSeconds}</p>}
      <div id="cron-preview" class="cron-preview" aria-live="polite" data-state={state.status}>
        <PreviewView state={state} />
      </div>
    </fieldset>
  );
}

function PreviewView({ state }: { state: PreviewState }) {
  switch (state.status) {
    case 'idle':
      return <p class="muted">Write an expression to see its next fires.</p>;
    case 'waiting':
      return <p class="muted">Working out the next fires…</p>;
    case 'error': {
      const { code, message } = describeError(state.error);
      return (
        <p class="field-error" role="alert">
          <code>{code}</code> {message}
        </p>
      );
    }
    case 'ok':
      return (
        <>
          {state.answer.description && <p class="muted">{state.answer.description}</p>}
          {state.answer.fires.length === 0 ? (
            <p class="muted">It never fires again.</p>
          ) : (
            <NextFires fires={state.answer.fires} />
          )}
        </>
      );
  }
}
