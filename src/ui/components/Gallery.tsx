/** The demo gallery: one card per claim, opened in one click (training at once) or shared as a classroom link. */
import { useState } from 'react';
import { CLASSROOM_DEFAULT_HIDE } from '../../spec/classroom';
import { DEMOS, type Demo } from '../../spec/gallery';
import { findPreset } from '../../spec/presets';
import { linkUrl } from '../../spec/link';
import { ExperimentSpec } from '../../spec/schema';
import { ViewSpec, defaultView } from '../../spec/view';
import { requestedBackend, shareAddress } from '../actions';
import { startNewSave } from '../persistence';
import { setClassroom } from '../stores/classroom';
import { setSpec } from '../stores/experiment';
import { useView } from '../stores/view';
import { training } from '../trainingClient';

function demoState(demo: Demo, preset = demo.preset) {
  const spec = ExperimentSpec.parse(findPreset(preset)!.spec);
  const view = ViewSpec.parse({ ...defaultView(), ...demo.view });
  return { spec, view };
}

export function openDemo(demo: Demo, classroom: boolean, preset = demo.preset): void {
  const { spec, view } = demoState(demo, preset);
  startNewSave();
  setSpec(spec, null);
  useView.setState(view);
  setClassroom(classroom ? { hide: CLASSROOM_DEFAULT_HIDE } : null);
  training.load(spec, requestedBackend(), true);
}

export function classroomLink(demo: Demo): string {
  const { spec, view } = demoState(demo);
  return linkUrl(shareAddress(), { spec, view, autorun: true, classroom: { hide: CLASSROOM_DEFAULT_HIDE } });
}

/** `onOpen`: called when a demo opens (the shelf closes the gallery then). */
export function Gallery({ onOpen }: { onOpen?: () => void }) {
  const [copied, setCopied] = useState<string | null>(null);
  const open = (demo: Demo, classroom: boolean, preset?: string) => {
    openDemo(demo, classroom, preset);
    onOpen?.();
  };
  return (
    <div className="shelf-panel gallery" data-testid="gallery">
      {DEMOS.map((demo) => (
        <article className="demo" key={demo.preset} data-testid={`demo-${demo.preset}`}>
          <h3>{demo.claim}</h3>
          <p className="demo-title">{demo.title}</p>
          <p>
            <strong>Look for:</strong> {demo.lookFor}
          </p>
          <p>
            <strong>You should see:</strong> {demo.expect}
          </p>
          <div className="demo-actions">
            <button type="button" className="primary" onClick={() => open(demo, false)} data-testid="demo-open">
              Open and run
            </button>
            <button type="button" onClick={() => open(demo, true)} data-testid="demo-classroom">
              Classroom mode
            </button>
            {demo.contrast && (
              <button type="button" onClick={() => open(demo, false, demo.contrast!.preset)} data-testid="demo-contrast">
                {demo.contrast.label}
              </button>
            )}
            <button
              type="button"
              className="link-button"
              data-testid="demo-copy-link"
              onClick={() => {
                const url = classroomLink(demo);
                navigator.clipboard.writeText(url).then(
                  () => setCopied(demo.preset),
                  () => setCopied(null),
                );
              }}
            >
              copy classroom link
            </button>
            {copied === demo.preset && <small role="status">Copied ✓</small>}
          </div>
        </article>
      ))}
    </div>
  );
}
