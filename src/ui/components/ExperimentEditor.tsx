/** Editing the experiment: every field validated as typed, nothing trains until the draft is valid and applied. */
import { PRESETS, findPreset } from '../../spec/presets';
import { ACTIVATIONS, ExperimentSpec, LrScheduleSpec, TOY_DATASETS, defaultTask } from '../../spec/schema';
import { applyExperiment } from '../actions';
import { draftIsDirty, editDraft, setDraft, useExperiment } from '../stores/experiment';
import { NumberField, SelectField } from './Field';
import { RunsEditor } from './RunsEditor';

function TaskFields() {
  const task = useExperiment((s) => s.draft.task as { kind: string; output?: string });
  return (
    <fieldset>
      <legend>Task</legend>
      <SelectField
        label="Task"
        path={['task', 'kind']}
        options={['teacher-student', 'toy2d'] as const}
        onSelect={(kind) => editDraft(['task'], defaultTask(kind))}
      />
      {task.kind === 'teacher-student' ? (
        <>
          <SelectField label="Output" path={['task', 'output']} options={['classification', 'regression'] as const} />
          <NumberField label="Input dim" path={['task', 'inputDim']} />
          <NumberField label="Teacher width" path={['task', 'teacherWidth']} />
          {task.output === 'regression' ? (
            <NumberField label="Label noise σ" path={['task', 'labelNoise']} />
          ) : (
            <NumberField label="Classes" path={['task', 'classes']} />
          )}
          <NumberField label="Teacher scale" path={['task', 'teacherScale']} hint="Larger: sharper labels, lower Bayes loss" />
        </>
      ) : (
        <>
          <SelectField label="Dataset" path={['task', 'dataset']} options={TOY_DATASETS} />
          <NumberField label="Label flips" path={['task', 'labelNoise']} hint="Probability a label is flipped" />
        </>
      )}
      <NumberField label="Data seed" path={['dataSeed']} hint="Seeds the teacher and the probe set" />
    </fieldset>
  );
}

function OptimizerFields() {
  const kind = useExperiment((s) => (s.draft.optimizer as { kind: string }).kind);
  const schedule = useExperiment((s) => (s.draft.lrSchedule as { kind: string }).kind);
  return (
    <fieldset>
      <legend>Optimizer</legend>
      <SelectField label="Optimizer" path={['optimizer', 'kind']} options={['sgd', 'momentum', 'adam'] as const} />
      {kind === 'momentum' && <NumberField label="Momentum β" path={['optimizer', 'momentum']} />}
      {kind === 'adam' && (
        <>
          <NumberField label="β1" path={['optimizer', 'beta1']} />
          <NumberField label="β2" path={['optimizer', 'beta2']} />
        </>
      )}
      <SelectField
        label="LR schedule"
        path={['lrSchedule', 'kind']}
        options={['constant', 'warmup-cosine'] as const}
        onSelect={(k) => editDraft(['lrSchedule'], LrScheduleSpec.parse({ kind: k }))}
      />
      {schedule === 'warmup-cosine' && (
        <>
          <NumberField label="Warmup steps" path={['lrSchedule', 'warmupSteps']} />
          <NumberField label="Final factor" path={['lrSchedule', 'finalFactor']} />
        </>
      )}
    </fieldset>
  );
}

export function ExperimentEditor() {
  const dirty = useExperiment(draftIsDirty);
  const issues = useExperiment((s) => s.issues);

  return (
    <form
      className="editor"
      aria-label="Experiment"
      onSubmit={(e) => {
        e.preventDefault();
        applyExperiment();
      }}
    >
      <div className="field">
        <label htmlFor="preset">Preset</label>
        <select
          id="preset"
          value=""
          onChange={(e) => {
            const preset = findPreset(e.target.value);
            if (preset) setDraft(ExperimentSpec.parse(preset.spec) as unknown as Record<string, unknown>);
          }}
        >
          <option value="">Load a preset…</option>
          {PRESETS.map((p) => (
            <option key={p.name} value={p.name} title={p.lookFor}>
              {p.title}
            </option>
          ))}
        </select>
      </div>
      <TaskFields />
      <fieldset>
        <legend>Model (MLP)</legend>
        <NumberField label="Width" path={['model', 'width']} />
        <NumberField label="Depth" path={['model', 'depth']} hint="Hidden layers" />
        <SelectField label="Activation" path={['model', 'activation']} options={ACTIVATIONS} />
      </fieldset>
      <OptimizerFields />
      <fieldset>
        <legend>Training</legend>
        <NumberField label="Budget (steps)" path={['budgetSteps']} />
        <NumberField label="Eval every" path={['evalEvery']} hint="Held-out loss every k steps" />
        <NumberField label="Probe size" path={['probeSize']} hint="Held-out examples, never in the training stream" />
      </fieldset>
      <RunsEditor />
      <div className="editor-actions">
        {issues.length > 0 && (
          <span className="field-error" role="alert" data-testid="draft-issues">
            {issues.length === 1 ? '1 problem' : `${issues.length} problems`} to fix before applying
          </span>
        )}
        <button type="submit" className="primary" disabled={!dirty || issues.length > 0} data-testid="apply">
          Apply
        </button>
        <button type="button" disabled={!dirty} onClick={() => setDraft(useExperiment.getState().spec as unknown as Record<string, unknown>)}>
          Discard edits
        </button>
      </div>
      <p className="hint">Runs you did not change keep training; edited and new runs start from step 0; a change above the runs restarts them all.</p>
    </form>
  );
}
