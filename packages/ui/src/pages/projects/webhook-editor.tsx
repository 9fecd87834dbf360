/**
 * Create or edit a webhook of a project: name, URL, which spider, the events (and items), pace, enabled, and its
 * signing secret (given, made by the master, or made anew; a changed URL needs it again: the master says so).
 */
import type { CreateWebhookRequest, UpdateWebhookRequest, Webhook, WebhookWithSecret } from '@scrapyard/protocol';
import { ErrorBanner } from '../../components/error-banner.js';
import { Field, TextField } from '../../components/field.js';
import { Check, FormActions } from '../../components/form-parts.js';
import { Options } from '../../components/options.js';
import { useForm } from '../../components/use-form.js';
import { createWebhook, updateWebhook } from '../../api/webhooks.js';
import {
  createWebhookBody,
  emptyWebhookForm,
  EVENTS,
  formFromWebhook,
  updateWebhookBody,
  urlChanged,
} from './webhook-form.js';

export function WebhookEditor(props: {
  project: string;
  spiders: readonly string[];
  webhook?: Webhook;
  onSaved(answer: WebhookWithSecret): void;
  onCancel(): void;
}) {
  const w = props.webhook;
  const f = useForm({
    initial: () => (w ? formFromWebhook(w) : emptyWebhookForm()),
    build: (form) => (w ? updateWebhookBody(form, w) : createWebhookBody(form, props.project)),
    send: (body: CreateWebhookRequest | UpdateWebhookRequest) =>
      w ? updateWebhook(w.id, body) : createWebhook(body as CreateWebhookRequest),
    onSaved: props.onSaved,
  });
  const { form, set } = f;
  const spiders =
    form.spider === '' || props.spiders.includes(form.spider) ? props.spiders : [form.spider, ...props.spiders];
  const label = w ? `Edit webhook ${w.name ?? w.id}` : 'New webhook';
  return (
    <form class="card webhook-editor" aria-label={label} onSubmit={f.submit}>
      <ErrorBanner error={f.error} />
      <div class="inline-form">
        <TextField label="Name (optional)" maxLength={100} {...f.bind('name')} />
        <TextField label="URL" placeholder="https://example.com/hooks/scrapyard" {...f.bind('url')} />
        {(!w || w.project !== null) && (
          <Field label="Spider" error={f.errors.spider}>
            <select name="spider" value={form.spider} onChange={(e) => set('spider', e.currentTarget.value)}>
              <Options values={spiders} first={['', 'every spider']} />
            </select>
          </Field>
        )}
        <TextField label="Items per batch" inputMode="numeric" placeholder="100" {...f.bind('itemsPerBatch')} />
        <TextField label="Requests per second" inputMode="decimal" placeholder="1" {...f.bind('ratePerSecond')} />
      </div>
      <fieldset>
        <legend>Sends</legend>
        {EVENTS.map((e) => (
          <Check
            key={e}
            name={`event-${e}`}
            label={e}
            checked={form.events.includes(e)}
            onChange={(on) => set('events', on ? [...form.events, e] : form.events.filter((x) => x !== e))}
          />
        ))}
        <Check label="items (job.items, in batches)" {...f.check('items')} />
        {f.errors.events && <span class="field-error">{f.errors.events}</span>}
      </fieldset>
      <div class="inline-form">
        <TextField
          label={w ? 'Signing secret (empty: kept; a new URL needs it)' : 'Signing secret (empty: one is made)'}
          secret
          placeholder="whsec_…"
          {...f.bind('secret')}
        />
        {w && <Check label="Make a new secret" {...f.check('rotateSecret')} />}
        <Check label="Enabled" {...f.check('enabled')} />
      </div>
      {urlChanged(form, w) && form.secret === '' && !form.rotateSecret && (
        <p class="muted">A new URL needs the signing secret again: type the one it has, or make a new one.</p>
      )}
      <FormActions submit={w ? 'Save webhook' : 'Create webhook'} busy={f.busy} onCancel={props.onCancel} />
    </form>
  );
}
