/** /alerts: alerts firing and resolved (live on `alert.changed`), the rules, and the channels with their logs. */
import { useState } from 'preact/hooks';
import { ErrorBanner } from '../../components/error-banner.js';
import { useLoad } from '../../components/use-load.js';
import { useLive } from '../../live/use-live.js';
import { AlertList } from './alert-list.js';
import { listAlerts, listChannels, listRules } from '../../api/alerts.js';
import { ChannelsSection } from './channels-section.js';
import { RulesSection } from './rules-section.js';
import { useMayConfigure } from './use-configure.js';

const loadAll = () =>
  Promise.all([listAlerts('active'), listAlerts('resolved', 20), listRules(), listChannels()]).then(
    ([active, resolved, rules, channels]) => ({
      active: active.alerts,
      resolved: resolved.alerts,
      rules: rules.rules,
      channels: channels.channels,
    }),
  );

export function AlertsPage() {
  const mayConfigure = useMayConfigure();
  const { data, error, loading, reload } = useLoad(loadAll);
  const [actionError, setActionError] = useState<unknown>(undefined);
  useLive({ event: (type) => type === 'alert.changed' && reload(), reset: reload });
  const act = async (what: () => Promise<unknown>) => {
    setActionError(undefined);
    try {
      await what();
    } catch (e) {
      setActionError(e);
    }
    reload();
  };
  return (
    <>
      <h1>Alerts</h1>
      <ErrorBanner error={actionError ?? error} onDismiss={actionError ? () => setActionError(undefined) : undefined} />
      {loading && !data && <p class="muted">Loading…</p>}
      {data && (
        <>
          <AlertList
            title="Firing and pending"
            alerts={data.active}
            rules={data.rules}
            empty="Nothing is firing."
            act={act}
          />
          <RulesSection rules={data.rules} channels={data.channels} act={act} reload={reload} />
          <ChannelsSection channels={data.channels} mayConfigure={mayConfigure(null)} act={act} reload={reload} />
          <AlertList
            title="Recently resolved"
            alerts={data.resolved}
            rules={data.rules}
            empty="No alert has resolved yet."
            act={act}
          />
        </>
      )}
    </>
  );
}
