/** An admin sets a user's password (the rule told first; a refusal is the server's WEAK_PASSWORD text). */
import type { UserResponse } from '@scrapyard/protocol';
import { useState } from 'preact/hooks';
import { setPassword } from '../../api/admin.js';
import { PASSWORD_HINT } from './users-view.js';

export function PasswordForm(props: { userId: string; act: (change: () => Promise<UserResponse>) => Promise<void> }) {
  const [password, setValue] = useState('');
  const [done, setDone] = useState(false);
  const submit = (e: Event) => {
    e.preventDefault();
    setDone(false);
    void props.act(async () => {
      const answer = await setPassword(props.userId, password);
      setValue('');
      setDone(true);
      return answer;
    });
  };
  return (
    <form class="card inline-form" aria-label="Set the password" onSubmit={submit}>
      <label>
        New password
        <input
          name="new-password"
          type="password"
          autocomplete="new-password"
          required
          value={password}
          onInput={(e) => setValue(e.currentTarget.value)}
        />
      </label>
      <button type="submit">Set password</button>
      {done && <span role="status">Password set.</span>}
      <p class="hint muted">{PASSWORD_HINT}</p>
    </form>
  );
}
