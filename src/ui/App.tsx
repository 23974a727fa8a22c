import { LossChart } from './charts/LossChart';
import { NoisePanel } from './charts/NoisePanel';
import { StepsVsSamples } from './charts/StepsVsSamples';
import { CompareView } from './compare/CompareView';
import { BackendPanel } from './components/BackendPanel';
import { Controls } from './components/Controls';
import { ExperimentEditor } from './components/ExperimentEditor';
import { Notices } from './components/Notices';
import { RunTable } from './components/RunTable';
import { ShareButton } from './components/ShareButton';
import { ViewControls } from './components/ViewControls';

export function App() {
  return (
    <div className="app">
      <header>
        <h1>SGD Noise Lab</h1>
        <p className="tagline">Online SGD, live: does batch-size and learning-rate noise change where training goes, or only how fast?</p>
        <BackendPanel />
      </header>
      <Notices />
      <main>
        <section className="results">
          <div className="toolbar">
            <Controls />
            <ViewControls />
            <ShareButton />
          </div>
          <div className="charts">
            <LossChart metric="trainLoss" title="Training loss (minibatch)" />
            <LossChart metric="evalLoss" title="Held-out loss (probe set)" />
          </div>
          <NoisePanel />
          <RunTable />
          <StepsVsSamples />
          <CompareView />
        </section>
        <aside>
          <ExperimentEditor />
        </aside>
      </main>
    </div>
  );
}
