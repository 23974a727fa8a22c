/** Play, pause, step and reset, with keyboard shortcuts (space, →, r) when no field has focus. */
import { useEffect } from 'react';
import { training } from '../trainingClient';
import { useRuns } from '../stores/runs';
import { useControlHidden } from '../stores/classroom';

function typingInField(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'SELECT', 'TEXTAREA', 'BUTTON'].includes(target.tagName));
}

export function Controls() {
  const playing = useRuns((s) => s.playing);
  const ready = useRuns((s) => s.backend !== null && !s.loadingBackend);
  const anyRunning = useRuns((s) => s.runs.some((r) => r.status === 'running'));
  const hideStep = useControlHidden('step');

  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      if (typingInField(e.target) || e.metaKey || e.ctrlKey || e.altKey) return;
      const { playing: isPlaying } = useRuns.getState();
      if (e.key === ' ') {
        e.preventDefault();
        if (isPlaying) training.pause();
        else training.play();
      } else if (e.key === 'ArrowRight') training.step();
      else if (e.key === 'r') training.reset();
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <div className="controls" role="toolbar" aria-label="Training">
      {playing ? (
        <button type="button" className="primary" onClick={training.pause} title="Pause (space)" data-testid="pause">
          ❚❚ Pause
        </button>
      ) : (
        <button type="button" className="primary" onClick={training.play} disabled={!ready || !anyRunning} title="Run (space)" data-testid="play">
          ▶ Run
        </button>
      )}
      <button type="button" hidden={hideStep} onClick={training.step} disabled={!ready || playing || !anyRunning} title="One step (→)" data-testid="step">
        Step
      </button>
      <button type="button" onClick={training.reset} disabled={!ready} title="Restart every run from step 0 (r)" data-testid="reset">
        Reset
      </button>
    </div>
  );
}
