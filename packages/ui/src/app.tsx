/**
 * The shell: a top bar (who is signed in, their pages, logout), the nav of the sections their grants reach, and the
 * page of the current path. Nobody signed in: the login page, which returns to the page asked for.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ErrorBanner } from './components/error-banner.js';
import { Link } from './components/link.js';
import { useFocusOnNavigate } from './focus-on-navigate.js';
import { sectionsFor } from './nav.js';
import { navigate, useLocation } from './navigation.js';
import { LoginPage } from './pages/login/login-page.js';
import { NotFoundPage } from './pages/not-found/not-found-page.js';
import { afterLogin, loginPath, matchRoute } from './router.js';
import { ROUTES } from './routes.js';
import { useSession } from './session/session.js';

export function App() {
  const session = useSession();
  const { path, search } = useLocation();
  const onLogin = path === '/login';
  useEffect(() => {
    if (session.who === null && !onLogin) navigate(loginPath(path + search), true);
    if (session.who && onLogin) navigate(afterLogin(new URLSearchParams(search).get('next')), true);
  }, [session.who, onLogin, path, search]);

  if (session.who === undefined) return <p class="muted boot">Loading…</p>;
  if (session.who === null) return onLogin ? <LoginPage search={search} /> : null;
  return <Shell path={path} search={search} />;
}

function Shell({ path, search }: { path: string; search: string }) {
  const { who, can, logout } = useSession();
  const [menuOpen, setMenuOpen] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => setMenuOpen(false), [path]);
  const main = useRef<HTMLElement | null>(null);
  useFocusOnNavigate(path, main);
  const sections = sectionsFor(can);
  const section = (p: string) => (p === '/' ? path === '/' : path === p || path.startsWith(`${p}/`));
  let page = <NotFoundPage path={path} />;
  for (const route of ROUTES) {
    const params = matchRoute(route.pattern, path);
    if (params && (route.needs === undefined || can(route.needs))) {
      page = route.render(params, search);
      break;
    }
  }
  return (
    <div class="shell">
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="top-bar">
        <button
          type="button"
          class="menu-toggle secondary"
          aria-expanded={menuOpen}
          aria-controls="nav"
          onClick={() => setMenuOpen(!menuOpen)}
        >
          Menu
        </button>
        <Link to="/" class="brand">
          Scrapyard
        </Link>
        <div class="user-menu">
          <span class="user-name" title="Signed in as">
            {who?.user.name}
          </span>
          <Link to="/me/sessions" current={path === '/me/sessions'}>
            My sessions
          </Link>
          <Link to="/me/tokens" current={path === '/me/tokens'}>
            My tokens
          </Link>
          <button type="button" class="secondary" onClick={() => void logout().catch(setError)}>
            Log out
          </button>
        </div>
      </header>
      <nav id="nav" class={menuOpen ? 'nav open' : 'nav'} aria-label="Sections">
        <ul>
          {sections.map((s) => (
            <li key={s.path}>
              <Link to={s.path} current={section(s.path)}>
                {s.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" class="content" tabIndex={-1} ref={main}>
        <ErrorBanner error={error} onDismiss={() => setError(undefined)} />
        {page}
      </main>
    </div>
  );
}
