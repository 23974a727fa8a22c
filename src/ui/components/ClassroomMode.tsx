/**
 * Classroom mode, set by a link: the page says so, charts and text are enlarged (styles.css `.classroom`),
 * and the controls the link names are hidden (Visibility.tsx). Play, pause and reset always stay. The
 * teacher can leave it; the address bar then loses the flag.
 */
import { CONTROL_LABELS } from '../../spec/classroom';
import { setClassroom, useClassroom } from '../stores/classroom';

export function useClassroomMode(): boolean {
  return useClassroom((s) => s.classroom !== null);
}

export function ClassroomBar() {
  const classroom = useClassroom((s) => s.classroom);
  if (!classroom) return null;
  const hidden = classroom.hide.map((c) => CONTROL_LABELS[c]).join(', ');
  return (
    <div className="classroom-bar" data-testid="classroom-bar">
      <span title={hidden ? `Hidden: ${hidden}` : undefined}>Classroom mode</span>
      <button type="button" className="link-button" onClick={() => setClassroom(null)} data-testid="leave-classroom">
        show all controls
      </button>
    </div>
  );
}
