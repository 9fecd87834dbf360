/**
 * A form's state and its sending: the fields (as the inputs hold them), the form's own checks per field, then the
 * call with `busy` meanwhile and its refusal kept (the banner shows its message; each problem it names about a
 * field also stands beside that field). Building the body is the form's pure function, unit-tested apart.
 */
import { useState } from 'preact/hooks';
import { fieldErrorsFrom } from '../api/field-errors.js';
import { useAction } from './use-action.js';

export type FieldErrors<F> = Partial<Record<keyof F & string, string>>;
export type Built<F, B> = { ok: true; body: B } | { ok: false; errors: FieldErrors<F> };

export interface FormOptions<F, B, R> {
  initial: () => F;
  build: (form: F) => Built<F, B>;
  send: (body: B) => Promise<R>;
  onSaved: (answer: R) => void;
  /** The field a refused body path is about (`policy.maxRunSeconds`); default: its first part, if a field. */
  fieldOf?: (path: string) => (keyof F & string) | undefined;
}

/** What an input bound to one text field of the form takes (`<TextField label="…" {...f.bind('name')} />`). */
export interface Bound {
  name: string;
  value: string;
  error: string | undefined;
  onValue: (value: string) => void;
}

export function useForm<F extends object, B, R>(o: FormOptions<F, B, R>) {
  const [form, setForm] = useState<F>(o.initial);
  const [own, setOwn] = useState<FieldErrors<F>>({});
  const action = useAction();
  const fieldOf = o.fieldOf ?? ((path: string) => path.split('.')[0] as keyof F & string);
  const known = (path: string) => {
    const key = fieldOf(path);
    return key !== undefined && key in form ? key : undefined;
  };
  const errors: FieldErrors<F> = { ...fieldErrorsFrom(action.error, known), ...own };
  const set = <K extends keyof F>(key: K, value: F[K]) => setForm((f) => ({ ...f, [key]: value }));
  const submit = (e: Event) => {
    e.preventDefault();
    const built = o.build(form);
    setOwn(built.ok ? {} : built.errors);
    if (!built.ok) return action.clearError();
    // Wrapped: an answer may itself be undefined (a 204), which `run` also answers for a failure.
    void action.run(() => o.send(built.body).then((answer) => ({ answer }))).then((r) => r && o.onSaved(r.answer));
  };
  const bind = (key: keyof F & string): Bound => ({
    name: key,
    value: String(form[key] ?? ''),
    error: errors[key],
    onValue: (v) => set(key, v as F[typeof key]),
  });
  /** A checkbox of a boolean field (`<Check label="…" {...f.check('enabled')} />`). */
  const check = (key: keyof F & string) => ({
    name: key,
    checked: form[key] === true,
    onChange: (on: boolean) => set(key, on as F[typeof key]),
  });
  return { form, set, setForm, errors, error: action.error, busy: action.busy, submit, bind, check };
}
