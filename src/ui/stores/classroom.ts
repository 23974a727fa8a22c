/** Classroom mode (from a link): which controls are hidden; null when the lab is not in classroom mode. */
import { create } from 'zustand';
import type { ClassroomSpec, Control } from '../../spec/classroom';

export const useClassroom = create<{ classroom: ClassroomSpec | null }>(() => ({ classroom: null }));

export function setClassroom(classroom: ClassroomSpec | null): void {
  useClassroom.setState({ classroom });
}

/** Whether classroom mode hides `control`. */
export function useControlHidden(control: Control): boolean {
  return useClassroom((s) => s.classroom?.hide.includes(control) ?? false);
}
