/** The toolbar's "Demos", "Saved" and "Export / import" buttons, each opening its panel below the toolbar. */
import { useState } from 'react';
import type { Control } from '../../spec/classroom';
import { ExportPanel } from '../export/ExportPanel';
import { useClassroom } from '../stores/classroom';
import { Gallery } from './Gallery';
import { SavedPanel } from './SavedPanel';

const PANELS: Array<{ control: Control; label: string; render: (close: () => void) => React.JSX.Element }> = [
  { control: 'gallery', label: 'Demos', render: (close) => <Gallery onOpen={close} /> },
  { control: 'saved', label: 'Saved', render: () => <SavedPanel /> },
  { control: 'export', label: 'Export / import', render: () => <ExportPanel /> },
];

export function Shelf() {
  const [open, setOpen] = useState<Control | null>(null);
  const classroom = useClassroom((s) => s.classroom); // a stable object: selecting `hide ?? []` would loop
  const shown = PANELS.filter((p) => !classroom?.hide.includes(p.control));
  const current = shown.find((p) => p.control === open);
  return (
    <>
      <div className="shelf-buttons">
        {shown.map((p) => (
          <button type="button" key={p.control} aria-expanded={open === p.control} onClick={() => setOpen(open === p.control ? null : p.control)} data-testid={`shelf-${p.control}`}>
            {p.label}
          </button>
        ))}
      </div>
      {current && <div className="shelf">{current.render(() => setOpen(null))}</div>}
    </>
  );
}
