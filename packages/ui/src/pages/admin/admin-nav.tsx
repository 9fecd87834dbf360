/** The admin section's sub-nav: users, tokens, the audit log. */
import { Link } from '../../components/link.js';
import './admin.css';

const PAGES = [
  { to: '/admin', label: 'Users' },
  { to: '/admin/tokens', label: 'Tokens' },
  { to: '/admin/audit', label: 'Audit log' },
] as const;

export function AdminNav({ current }: { current: (typeof PAGES)[number]['to'] }) {
  return (
    <nav class="sub-nav" aria-label="Admin">
      {PAGES.map((p) => (
        <Link key={p.to} to={p.to} current={p.to === current}>
          {p.label}
        </Link>
      ))}
    </nav>
  );
}
