/** /schedules/new: the form; saved, it goes to the schedule's page. */
import { navigate } from '../../navigation.js';
import { ScheduleEditor } from './schedule-editor.js';

export function ScheduleNewPage() {
  return (
    <>
      <h1>New schedule</h1>
      <ScheduleEditor
        onSaved={(s) => navigate(`/schedules/${encodeURIComponent(s.id)}`)}
        onCancel={() => navigate('/schedules')}
      />
    </>
  );
}
