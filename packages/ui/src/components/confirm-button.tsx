/** A button for what can't be undone: the first press asks, the second (within a few seconds) does it. */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';

export function ConfirmButton(props: {
  onConfirm: () => void | Promise<void>;
  children: ComponentChildren;
  confirmText?: string;
  disabled?: boolean;
}) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (!asking) return;
    const t = setTimeout(() => setAsking(false), 5_000);
    return () => clearTimeout(t);
  }, [asking]);
  const press = async () => {
    if (!asking) return setAsking(true);
    setAsking(false);
    setBusy(true);
    try {
      await props.onConfirm();
    } finally {
      setBusy(false);
    }
  };
  return (
    <button
      type="button"
      class={asking ? 'danger' : 'secondary'}
      disabled={props.disabled || busy}
      onClick={() => void press()}
    >
      {asking ? (props.confirmText ?? 'Click again to confirm') : props.children}
    </button>
  );
}
