import { LossChart } from './charts/LossChart';
import { NoisePanel } from './charts/NoisePanel';
import { StepsVsSamples } from './charts/StepsVsSamples';
import { CompareView } from './compare/CompareView';
import { BackendPanel } from './components/BackendPanel';
import { ClassroomBar, useClassroomMode } from './components/ClassroomMode';
import { Controls } from './components/Controls';
import { ExperimentEditor } from './components/ExperimentEditor';
import { Notices } from './components/Notices';
import { PoolNotices } from './components/PoolNotices';
import { RunTable } from './components/RunTable';
import { ShareButton } from './components/ShareButton';
import { Shelf } from './components/Shelf';
import { StorageNotice } from './components/StorageNotice';
import { ViewControls } from './components/ViewControls';
import { ShowControl, ShowPanel } from './components/Visibility';

export function App() {
  const classroom = useClassroomMode();
  return (
    <div className={classroom ? 'app classroom' : 'app'} data-testid="app">
      <header>
        <h1>SGD Noise Lab</h1>
        <p className="tagline">Online SGD, live: does batch-size and learning-rate noise change where training goes, or only how fast?</p>
        <ShowControl name="backend">
          <BackendPanel />
        </ShowControl>
        <ClassroomBar />
      </header>
      <Notices />
      <StorageNotice />
      <PoolNotices />
      <main>
        <section className="results">
          <div className="toolbar">
            <Controls />
            <ShowControl name="view">
              <ViewControls />
            </ShowControl>
            <ShowControl name="share">
              <ShareButton />
            </ShowControl>
            <Shelf />
          </div>
          <div className="charts">
            <ShowPanel name="trainLoss">
              <LossChart metric="trainLoss" title="Training loss (minibatch)" height={classroom ? 420 : 260} />
            </ShowPanel>
            <ShowPanel name="evalLoss">
              <LossChart metric="evalLoss" title="Held-out loss (probe set)" height={classroom ? 420 : 260} />
            </ShowPanel>
          </div>
          <ShowPanel name="noise">
            <NoisePanel />
          </ShowPanel>
          <ShowPanel name="runTable">
            <RunTable />
          </ShowPanel>
          <ShowPanel name="stepsVsSamples">
            <StepsVsSamples />
          </ShowPanel>
          <ShowPanel name="compare">
            <CompareView />
          </ShowPanel>
        </section>
        <ShowControl name="editor">
          <aside>
            <ExperimentEditor />
          </aside>
        </ShowControl>
      </main>
    </div>
  );
}
