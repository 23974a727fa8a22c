/**
 * The gradient-noise diagnostics, live, on the loss charts' x-axis: the minibatch gradient norm |ḡ|, the
 * temperature η/B, the gradient noise scale B_simple (McCandlish et al. 2018) and the noise-to-signal ratio
 * B_simple / B. Log y by default (these span decades across batch sizes); the toggle is the panel's own (in the view, so in the link).
 */
import { useExperiment } from '../stores/experiment';
import { setView, useView } from '../stores/view';
import { useClassroom } from '../stores/classroom';
import { ordinal } from './format';
import { MetricChart } from './MetricChart';

const HEIGHT = 150;
const CLASSROOM_HEIGHT = 240;

export function NoisePanel() {
  const logY = useView((s) => s.noiseLogY);
  const height = useClassroom((s) => s.classroom) ? CLASSROOM_HEIGHT : HEIGHT;
  const noise = useExperiment((s) => s.spec.noise);
  const optimizer = useExperiment((s) => s.spec.optimizer);
  const waiting = noise.enabled ? 'Waiting for the first noise measurements…' : 'The noise estimator is off in this experiment.';
  const momentum = optimizer.kind === 'momentum';
  return (
    <section className="noise-panel" aria-label="Gradient noise" data-testid="noise-panel">
      <div className="panel-head">
        <h2>Gradient noise</h2>
        <span className="hint">
          measured on every {noise.every === 1 ? '' : `${ordinal(noise.every)} `}step from {noise.microBatches} micro-batches of each batch
        </span>
        <label className="panel-toggle">
          <input type="checkbox" checked={logY} onChange={(e) => setView({ noiseLogY: e.target.checked })} data-testid="noise-log-y" /> log y
        </label>
      </div>
      <div className="noise-charts">
        <MetricChart
          name="gradNorm"
          label="Gradient norm"
          title={<>Gradient norm |ḡ|</>}
          metric="gradNorm"
          logY={logY}
          height={height}
          emptyText={waiting}
          caption="minibatch, smoothed"
        />
        <MetricChart
          name="temperature"
          label="Temperature"
          title={momentum ? <>Temperature η / (B(1−β))</> : <>Temperature η / B</>}
          metric="temperature"
          logY={logY}
          height={height}
          caption="exact"
        />
        <MetricChart
          name="noiseScale"
          label="Gradient noise scale B_simple"
          title={
            <>
              Noise scale B<sub>simple</sub>
            </>
          }
          metric="noiseScale"
          logY={logY}
          height={height}
          emptyText={waiting}
          caption="tr Σ / |G|², each an EMA"
        />
        <MetricChart
          name="noiseRatio"
          label="Noise-to-signal ratio B_simple / B"
          title={
            <>
              Noise-to-signal B<sub>simple</sub> / B
            </>
          }
          metric="noiseRatio"
          logY={logY}
          height={height}
          emptyText={waiting}
          caption="above 1: noise dominates a step"
        />
      </div>
    </section>
  );
}
