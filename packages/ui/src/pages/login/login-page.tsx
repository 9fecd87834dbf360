/** The login page: a name and a password (POST /api/v1/session); then back to the page asked for. */
import { useState } from 'preact/hooks';
import { ErrorBanner } from '../../components/error-banner.js';
import { navigate } from '../../navigation.js';
import { afterLogin } from '../../router.js';
import { useSession } from '../../session/session.js';

export function LoginPage({ search }: { search: string }) {
  const session = useSession();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await session.login({ name, password });
      navigate(afterLogin(new URLSearchParams(search).get('next')), true);
    } catch (err) {
      setError(err);
      setPassword('');
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="login" id="main">
      <form class="card login-card" onSubmit={(e) => void submit(e)} aria-labelledby="login-title">
        <h1 id="login-title">Scrapyard</h1>
        <p class="muted">
          Sign in with a user made by an admin (<code>scrapyard-master user add</code>).
        </p>
        <ErrorBanner error={error ?? session.error} />
        <label>
          User name
          <input
            name="name"
            autocomplete="username"
            required
            autofocus
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </label>
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
