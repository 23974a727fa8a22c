import { useState } from 'react';
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
import { UpdatePrompt } from './components/UpdatePrompt';
import { VerdictPanel } from './components/VerdictPanel';
import { ShowControl, ShowPanel } from './components/Visibility';

export function App() {
  const classroom = useClassroomMode();
  // On a narrow screen the editor folds away behind a button (styles.css); on a wide one it is always shown.
  const [editorOpen, setEditorOpen] = useState(false);
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
      <UpdatePrompt />
      <Notices />
      <StorageNotice />
      <PoolNotices />
      <main>
        <section className="results" aria-labelledby="results-heading">
          <h2 id="results-heading" className="visually-hidden">
            Training
          </h2>
          <div className="toolbar">
            <Controls />
            <ShowControl name="view">
              <ViewControls />
            </ShowControl>
            <ShowControl name="share">
              <ShareButton />
            </ShowControl>
            <ShowControl name="editor">
              <button type="button" className="editor-toggle" aria-expanded={editorOpen} aria-controls="editor" onClick={() => setEditorOpen(!editorOpen)} data-testid="editor-toggle">
                {editorOpen ? 'Hide editor' : 'Edit experiment'}
              </button>
            </ShowControl>
            <Shelf />
          </div>
          <ShowPanel name="verdicts">
            <VerdictPanel />
          </ShowPanel>
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
          <aside id="editor" className={editorOpen ? 'open' : undefined}>
            <ExperimentEditor />
          </aside>
        </ShowControl>
      </main>
    </div>
  );
}
