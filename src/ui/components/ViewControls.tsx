/** Chart view: x-axis, log axes, smoothing, seed groups and the panels shown (all part of the link). */
import { GROUP_MODES, GROUP_MODE_LABELS, PANELS, PANEL_LABELS, X_AXES, X_AXIS_LABELS, type GroupMode, type XAxis } from '../../spec/view';
import { setView, useView } from '../stores/view';

export function ViewControls() {
  const view = useView();
  return (
    <div className="view-controls" aria-label="Chart view">
      <label>
        x-axis{' '}
        <select value={view.xAxis} onChange={(e) => setView({ xAxis: e.target.value as XAxis })} data-testid="x-axis">
          {X_AXES.map((a) => (
            <option key={a} value={a}>
              {X_AXIS_LABELS[a]}
            </option>
          ))}
        </select>
      </label>
      <label>
        <input type="checkbox" checked={view.logX} onChange={(e) => setView({ logX: e.target.checked })} /> log x
      </label>
      <label>
        <input type="checkbox" checked={view.logY} onChange={(e) => setView({ logY: e.target.checked })} /> log y
      </label>
      <label>
        smoothing{' '}
        <input
          type="range"
          min={0}
          max={0.999}
          step={0.001}
          value={view.smoothing}
          onChange={(e) => setView({ smoothing: Number(e.target.value) })}
          aria-valuetext={view.smoothing.toFixed(3)}
        />{' '}
        <output>{view.smoothing.toFixed(3)}</output>
      </label>
      <label title="Runs that differ only in seed form a group: draw each group as its mean with a band">
        seeds{' '}
        <select value={view.groups} onChange={(e) => setView({ groups: e.target.value as GroupMode })} data-testid="group-mode">
          {GROUP_MODES.map((m) => (
            <option key={m} value={m}>
              {GROUP_MODE_LABELS[m]}
            </option>
          ))}
        </select>
      </label>
      {view.groups !== 'off' && (
        <label>
          <input type="checkbox" checked={view.members === 'faint'} onChange={(e) => setView({ members: e.target.checked ? 'faint' : 'hidden' })} data-testid="group-members" /> each seed faint
        </label>
      )}
      <details className="panel-picker">
        <summary data-testid="panels">panels</summary>
        <div className="panel-menu">
          {PANELS.map((p) => (
            <label key={p}>
              <input
                type="checkbox"
                checked={!view.hidden.includes(p)}
                onChange={(e) => setView({ hidden: e.target.checked ? view.hidden.filter((h) => h !== p) : [...view.hidden, p] })}
                data-testid={`panel-${p}`}
              />{' '}
              {PANEL_LABELS[p]}
            </label>
          ))}
        </div>
      </details>
    </div>
  );
}
