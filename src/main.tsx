import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { keepUrlInSync, openFromUrl } from './ui/actions';
import { keepLoadedDataOffline } from './ui/offlineData';
import { startAutosave } from './ui/persistence';
import { training } from './ui/trainingClient';
import { App } from './ui/App';
import './ui/styles.css';

startAutosave();
keepLoadedDataOffline();
openFromUrl();
keepUrlInSync();
// For scripts driving the page (bench/soak.ts): the worker's memory, which nothing on the page shows.
Object.assign(window, { sgdLab: { memory: training.memory } });

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
