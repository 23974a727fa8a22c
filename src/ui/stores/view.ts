import { create } from 'zustand';
import { defaultView, type ViewSpec } from '../../spec/view';

export const useView = create<ViewSpec>(() => defaultView());

export function setView(patch: Partial<ViewSpec>): void {
  useView.setState(patch);
}
