/**
 * The two loss charts: the training loss (every step's minibatch loss, smoothed) and the held-out loss, both
 * with the Bayes floor when the task knows it. Offline, the held-out chart also draws each run's loss on the
 * training set, dashed, and both mark where epochs end. Drawing is MetricChart's.
 */
import { useExperiment } from '../stores/experiment';
import { useRuns } from '../stores/runs';
import { useView } from '../stores/view';
import { MetricChart } from './MetricChart';

const TRAIN_SET = { metric: 'trainSetLoss', label: 'train set' } as const;

interface Props {
  metric: 'trainLoss' | 'evalLoss';
  title: string;
  height?: number;
}

export function LossChart({ metric, title, height = 260 }: Props) {
  const logY = useView((s) => s.logY);
  const lossFloor = useRuns((s) => s.lossFloor);
  const regime = useExperiment((s) => s.spec.regime);
  const offline = regime.kind === 'offline' ? regime.trainSize : null;
  const contrast = offline !== null && metric === 'evalLoss';
  return (
    <MetricChart
      name={metric}
      label={title}
      title={title}
      metric={metric}
      companion={contrast ? TRAIN_SET : undefined}
      logY={logY}
      floor={lossFloor}
      epochSize={offline}
      height={height}
      caption={
        contrast ? (
          <>
            <span className="legend-line" /> held-out, <span className="legend-line legend-dashed" /> training set: the gap is the point
          </>
        ) : undefined
      }
    />
  );
}
