/**
 * Who is signed in, for the whole app: the session (from GET /api/v1/session at start, or a login), its CSRF token
 * handed to the API client, `can` from the user's grants, and logout. A call refused for want of a session
 * (expired, revoked elsewhere) signs the app out.
 */
import type { LoginRequest, SessionWho } from '@scrapyard/protocol';
import type { ComponentChildren } from 'preact';
import { createContext } from 'preact';
import { useContext, useEffect, useMemo, useState } from 'preact/hooks';
import { onUnauthorized, setCsrfToken } from '../api/client.js';
import { ApiError } from '../api/errors.js';
import { closeLiveStream } from '../live/use-live.js';
import { login as loginCall, logout as logoutCall, whoAmI } from '../api/me.js';
import { navigate } from '../navigation.js';
import { CAN_NOTHING, canWith, type Can } from './can.js';

export interface Session {
  /** undefined while the first answer is awaited; null when nobody is signed in. */
  who: SessionWho | null | undefined;
  can: Can;
  login(body: LoginRequest): Promise<void>;
  logout(): Promise<void>;
  /** A failure of asking who one is, other than "not signed in" (the master is down, say). */
  error: unknown;
}

const SessionContext = createContext<Session | undefined>(undefined);

export function SessionProvider({ children }: { children: ComponentChildren }) {
  const [who, setWho] = useState<SessionWho | null | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const signedIn = (w: SessionWho | null) => {
    // Signed out (logout, a session ended): the tab's live stream belonged to that session.
    if (w === null) closeLiveStream();
    setCsrfToken(w?.csrfToken);
    setWho(w);
  };
  useEffect(() => {
    whoAmI().then(signedIn, (e: unknown) => {
      if (!(e instanceof ApiError && e.status === 401)) setError(e);
      signedIn(null);
    });
    return onUnauthorized(() => signedIn(null));
  }, []);
  const session = useMemo<Session>(
    () => ({
      who,
      error,
      can: who ? canWith(who.user.grants) : CAN_NOTHING,
      login: async (body) => {
        signedIn(await loginCall(body));
        setError(undefined);
      },
      logout: async () => {
        try {
          await logoutCall();
        } finally {
          // To the bare login page: whoever signs in next starts from the dashboard, not from this user's page.
          navigate('/login', true);
          signedIn(null);
        }
      },
    }),
    [who, error],
  );
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === undefined) throw new Error('useSession outside SessionProvider');
  return session;
}

/** `can(action, project?)`: whether the signed-in user may; what they may not is not offered. */
export const useCan = (): Can => useSession().can;
