/** An API error as the user sees it: its catalogue code and message, never swallowed. */
import { describeError } from '../api/errors.js';

export function ErrorBanner({ error, onDismiss }: { error: unknown; onDismiss?: () => void }) {
  if (error === undefined || error === null) return null;
  const { code, message } = describeError(error);
  return (
    <div class="error-banner" role="alert">
      <code class="error-code">{code}</code> <span class="error-message">{message}</span>
      {onDismiss && (
        <button type="button" class="link-button" onClick={onDismiss} aria-label="Dismiss the error">
          ×
        </button>
      )}
    </div>
  );
}
