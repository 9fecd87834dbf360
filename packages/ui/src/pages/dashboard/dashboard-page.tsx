/**
 * The dashboard (`/`): the cluster at a glance, live. Counters first (nothing heavy on the first paint: no chart),
 * then running jobs with their item counts, recent failures, alerts firing and, for admins, node health.
 */
import type { Overview } from '@scrapyard/protocol';
import type { ComponentChildren } from 'preact';
import { ErrorBanner } from '../../components/error-banner.js';
import { formatCount } from '../../format/numbers.js';
import { useCan } from '../../session/session.js';
import './dashboard.css';
import { AlertsFiring, NodeHealth, RecentFailures, RunningJobs } from './dashboard-tables.js';
import { useDashboard } from './use-dashboard.js';

export function DashboardPage() {
  const can = useCan();
  const admin = can('admin');
  const d = useDashboard(admin);
  return (
    <>
      <h1>Dashboard</h1>
      <ErrorBanner error={d.error} />
      {d.overview ? <Counters o={d.overview} /> : <p class="muted">Loading…</p>}
      <Section title="Running jobs">
        <RunningJobs rows={d.running} />
      </Section>
      <Section title="Recent failures">
        <RecentFailures rows={d.failures} />
      </Section>
      <Section title="Alerts firing">
        <AlertsFiring alerts={d.alerts} />
      </Section>
      {admin && (
        <Section title="Nodes">
          <NodeHealth nodes={d.nodes} />
        </Section>
      )}
    </>
  );
}

function Section({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <section class="dash-section" aria-label={title}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}

function Counters({ o }: { o: Overview }) {
  const n = o.nodes;
  return (
    <dl class="dash-counters">
      {n && (
        <>
          <Counter
            id="nodes-online"
            label="Nodes online"
            value={`${formatCount(n.online)} / ${formatCount(n.total)}`}
          />
          <Counter
            id="slots"
            label="Slots used / free"
            value={`${formatCount(n.slotsUsed)} / ${formatCount(n.slotsFree)}`}
          />
        </>
      )}
      <Counter id="pending" label="Pending" value={formatCount(o.jobs.pending)} />
      <Counter id="running" label="Running" value={formatCount(o.jobs.running)} />
      <Counter id="finished-today" label="Finished today" value={formatCount(o.jobs.finishedToday)} />
      <Counter
        id="failed-today"
        label="Failed today"
        value={formatCount(o.jobs.failedToday)}
        bad={o.jobs.failedToday > 0}
      />
      <Counter id="alerts-firing" label="Alerts firing" value={formatCount(o.alertsFiring)} bad={o.alertsFiring > 0} />
    </dl>
  );
}

function Counter(props: { id: string; label: string; value: string; bad?: boolean }) {
  return (
    <div class={props.bad ? 'dash-counter bad' : 'dash-counter'} data-counter={props.id}>
      <dt>{props.label}</dt>
      <dd>{props.value}</dd>
    </div>
  );
}
