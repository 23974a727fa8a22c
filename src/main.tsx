import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { openFromUrl } from './ui/actions';
import { App } from './ui/App';
import './ui/styles.css';

openFromUrl();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
