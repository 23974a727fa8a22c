/**
 * Export and import: metrics as CSV or JSON, the experiment as JSON; import a JSON export or a headless
 * runner's results file to see its runs on the charts beside the live ones. A bad file is refused with a
 * message and changes nothing.
 */
import { useState } from 'react';
import { addImport, removeImport, useImports } from '../stores/imports';
import { exportExperimentJson, exportMetricsCsv, exportMetricsJson } from './exportActions';
import { MAX_IMPORT_BYTES, parseImport, tooLarge } from './formats';

export function ExportPanel() {
  const sets = useImports((s) => s.sets);
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);

  async function importFile(file: File) {
    setMessage(null);
    if (file.size > MAX_IMPORT_BYTES) return setMessage({ error: true, text: tooLarge(`“${file.name}”`, file.size) });
    let text: string;
    try {
      text = await file.text();
    } catch {
      return setMessage({ error: true, text: `“${file.name}” could not be read.` });
    }
    const result = parseImport(text, `“${file.name}”`);
    if (!result.ok) return setMessage({ error: true, text: `${result.error} Nothing was imported.` });
    const set = addImport(file.name, result.results);
    setMessage({ error: false, text: `Imported ${result.results.runs.length} runs from “${file.name}”: on the charts as ${set.label}/<run>.` });
  }

  return (
    <div className="shelf-panel export-panel" data-testid="export-panel">
      <div className="export-buttons">
        <span>Export</span>
        <button type="button" onClick={exportMetricsCsv} data-testid="export-csv">
          Metrics (CSV)
        </button>
        <button type="button" onClick={exportMetricsJson} data-testid="export-json">
          Metrics (JSON)
        </button>
        <button type="button" onClick={exportExperimentJson} data-testid="export-experiment">
          Experiment (JSON)
        </button>
        <span className="hint">Each chart has its own SVG and PNG buttons.</span>
      </div>
      <div className="import">
        <label>
          Import results (a JSON export, or the headless runner's results file){' '}
          <input
            type="file"
            accept=".json,application/json"
            data-testid="import-file"
            onChange={(e) => {
              const file = e.target.files?.[0];
              e.target.value = '';
              if (file) void importFile(file);
            }}
          />
        </label>
        {message && (
          <p className={message.error ? 'import-message error' : 'import-message'} role={message.error ? 'alert' : 'status'} data-testid={message.error ? 'import-error' : 'import-ok'}>
            {message.text}
          </p>
        )}
        {sets.length > 0 && (
          <ul className="imports">
            {sets.map((set) => (
              <li key={set.label} data-testid={`import-${set.label}`}>
                <strong>{set.label}</strong> {set.name}: {set.results.runs.map((r) => r.id).join(', ')}{' '}
                <button type="button" className="link-button" onClick={() => removeImport(set.label)}>
                  remove
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}
