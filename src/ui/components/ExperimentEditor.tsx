/** Editing the experiment: every field validated as typed, nothing trains until the draft is valid and applied. */
import { useState } from 'react';
import { ShowControl } from './Visibility';
import { PRESETS, findPreset, type Preset } from '../../spec/presets';
import { ACTIVATIONS, ExperimentSpec, LrScheduleSpec, ModelSpec, RegimeSpec, TOY_DATASETS } from '../../spec/schema';
import { applyExperiment } from '../actions';
import { draftIsDirty, editDraft, setDraft, useExperiment } from '../stores/experiment';
import { CheckboxField, NumberField, SelectField } from './Field';
import { MarkovTaskFields, TextTaskFields, TransformerFields, selectTask } from './LanguageFields';
import { RunsEditor } from './RunsEditor';
import { UploadData } from './UploadData';
import './interventions.css';

function TaskFields() {
  const task = useExperiment((s) => s.draft.task as { kind: string; output?: string });
  return (
    <fieldset>
      <legend>Task</legend>
      <SelectField
        label="Task"
        path={['task', 'kind']}
        options={['teacher-student', 'toy2d', 'digits', 'shapes', 'csv', 'text', 'markov'] as const}
        onSelect={selectTask}
      />
      {task.kind === 'text' ? (
        <TextTaskFields />
      ) : task.kind === 'markov' ? (
        <MarkovTaskFields />
      ) : task.kind === 'teacher-student' ? (
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
      ) : task.kind === 'toy2d' ? (
        <>
          <SelectField label="Dataset" path={['task', 'dataset']} options={TOY_DATASETS} />
          <NumberField label="Label flips" path={['task', 'labelNoise']} hint="Probability a label is flipped" />
        </>
      ) : task.kind === 'digits' ? (
        <p className="hint">MNIST: 60,000 training digits (online, each run sees each once, then stops), 10,000 held out for the probe set; 6.9 MB, loaded on first use.</p>
      ) : task.kind === 'shapes' ? (
        <NumberField label="Pixel noise" path={['task', 'noise']} hint="Amplitude of the uniform noise on every pixel (values in [0, 1])" />
      ) : task.kind === 'csv' ? (
        <>
          <UploadData accept={['.csv']} />
          <NumberField label="Held out" path={['task', 'heldOut']} hint="Fraction of the rows kept for the probe set" />
        </>
      ) : null}
      <NumberField label="Data seed" path={['dataSeed']} hint="Seeds the teacher and the probe set" />
    </fieldset>
  );
}

/** MLP or CNN (image tasks): switching replaces the model with that kind's defaults. */
function ModelFields() {
  const kind = useExperiment((s) => (s.draft.model as { kind?: string } | undefined)?.kind ?? 'mlp');
  return (
    <fieldset data-testid="model-fields">
      <legend>Model</legend>
      <SelectField label="Model" path={['model', 'kind']} options={['mlp', 'cnn'] as const} onSelect={(k) => editDraft(['model'], ModelSpec.parse({ kind: k }))} />
      {kind === 'cnn' ? (
        <>
          <NumberField label="Conv 1 channels" path={['model', 'conv1']} hint="3×3 conv, relu, 2×2 max pool" />
          <NumberField label="Conv 2 channels" path={['model', 'conv2']} hint="3×3 conv, relu, 2×2 max pool" />
          <NumberField label="Dense width" path={['model', 'dense']} hint="The hidden layer of the head" />
        </>
      ) : (
        <>
          <NumberField label="Width" path={['model', 'width']} />
          <NumberField label="Depth" path={['model', 'depth']} hint="Hidden layers" />
          <SelectField label="Activation" path={['model', 'activation']} options={ACTIVATIONS} />
        </>
      )}
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

/** Online (a fresh stream) or offline (a fixed training set, many epochs): switching replaces the regime. */
function RegimeFields() {
  const kind = useExperiment((s) => (s.draft.regime as { kind?: string } | undefined)?.kind);
  return (
    <fieldset data-testid="regime-fields">
      <legend>Regime</legend>
      <SelectField
        label="Training data"
        path={['regime', 'kind']}
        options={['online', 'offline'] as const}
        hint="online: every sample fresh; offline: a fixed training set, reshuffled every epoch"
        onSelect={(k) => editDraft(['regime'], RegimeSpec.parse({ kind: k }))}
      />
      {kind === 'offline' ? (
        <NumberField label="Training set size" path={['regime', 'trainSize']} hint="Samples in the fixed training set; no batch may be larger" />
      ) : (
        <p className="hint regime-hint">Every step draws fresh samples: no sample is seen twice.</p>
      )}
    </fieldset>
  );
}

/** The gradient-noise-scale estimator (B_simple): on/off, micro-batches per step, and how often. */
function NoiseEstimatorFields() {
  const enabled = useExperiment((s) => (s.draft.noise as { enabled?: unknown } | undefined)?.enabled !== false);
  return (
    <fieldset data-testid="noise-fields">
      <legend>Noise scale estimator</legend>
      <CheckboxField label="Estimate B_simple" path={['noise', 'enabled']} hint="Gradient noise scale tr(Σ)/|G|², from micro-batch gradients" />
      <NumberField label="Micro-batches" path={['noise', 'microBatches']} hint="Each measured batch is split into this many (fewer where B does not divide)" disabled={!enabled} />
      <NumberField label="Every (steps)" path={['noise', 'every']} hint="Measure on every k-th step (each costs extra gradients)" disabled={!enabled} />
      <NumberField label="Smoothing" path={['noise', 'smoothing']} hint="EMA weight on the past, for numerator and denominator separately" disabled={!enabled} />
    </fieldset>
  );
}

function PresetPicker() {
  const [loaded, setLoaded] = useState<Preset | null>(null);
  const dirty = useExperiment(draftIsDirty);
  return (
    <div className="preset-picker">
      <div className="field">
        <label htmlFor="preset">Preset</label>
        <select
          id="preset"
          value=""
          data-testid="preset"
          onChange={(e) => {
            const preset = findPreset(e.target.value);
            if (!preset) return;
            setDraft(ExperimentSpec.parse(preset.spec) as unknown as Record<string, unknown>);
            setLoaded(preset);
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
      {loaded && (
        <p className="preset-look-for" data-testid="preset-look-for">
          <strong>{loaded.title}</strong>
          {dirty ? ' (apply to train it)' : ''}. Look for: {loaded.lookFor}{' '}
          <button type="button" className="link-button" aria-label="Hide the preset note" onClick={() => setLoaded(null)}>
            hide
          </button>
        </p>
      )}
    </div>
  );
}

export function ExperimentEditor() {
  const dirty = useExperiment(draftIsDirty);
  const issues = useExperiment((s) => s.issues);
  const modelKind = useExperiment((s) => (s.draft.model as { kind?: string } | undefined)?.kind);

  return (
    <form
      className="editor"
      aria-label="Experiment"
      onSubmit={(e) => {
        e.preventDefault();
        applyExperiment();
      }}
    >
      <ShowControl name="presets">
        <PresetPicker />
      </ShowControl>
      <TaskFields />
      {modelKind === 'transformer' ? (
        <fieldset>
          <legend>Model (transformer)</legend>
          <TransformerFields />
        </fieldset>
      ) : (
        <ModelFields />
      )}
      <OptimizerFields />
      <fieldset>
        <legend>Training</legend>
        <NumberField label="Budget (steps)" path={['budgetSteps']} />
        <NumberField label="Eval every" path={['evalEvery']} hint="Held-out loss every k steps" />
        <NumberField label="Probe size" path={['probeSize']} hint="Held-out examples, never in the training stream" />
      </fieldset>
      <RegimeFields />
      <NoiseEstimatorFields />
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
