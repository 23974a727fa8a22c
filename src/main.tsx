import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { keepUrlInSync, openFromUrl } from './ui/actions';
import { keepLoadedDataOffline } from './ui/offlineData';
import { startAutosave } from './ui/persistence';
import { App } from './ui/App';
import './ui/styles.css';

startAutosave();
keepLoadedDataOffline();
openFromUrl();
keepUrlInSync();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
