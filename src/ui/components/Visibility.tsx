/** Wrappers that drop a panel the view hides, or a control that classroom mode hides. */
import type { ReactNode } from 'react';
import type { Control } from '../../spec/classroom';
import type { Panel } from '../../spec/view';
import { useControlHidden } from '../stores/classroom';
import { useView } from '../stores/view';

export function ShowPanel({ name, children }: { name: Panel; children: ReactNode }) {
  const hidden = useView((s) => s.hidden.includes(name));
  return hidden ? null : <>{children}</>;
}

export function ShowControl({ name, children }: { name: Control; children: ReactNode }) {
  return useControlHidden(name) ? null : <>{children}</>;
}
