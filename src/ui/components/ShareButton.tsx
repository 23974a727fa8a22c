/**
 * "Copy link": the whole experiment and view as a URL, shown with its length and copied to the clipboard.
 * A lab built with a public URL says beside the button that its links open the hosted lab.
 */
import { useState } from 'react';
import { linksLeavePage } from '../../spec/publicUrl';
import { PUBLIC_URL, shareLink } from '../actions';

export function ShareButton() {
  const [link, setLink] = useState<string | null>(null);
  const [copied, setCopied] = useState<boolean | null>(null);

  async function share() {
    const url = shareLink();
    setLink(url);
    try {
      await navigator.clipboard.writeText(url);
      setCopied(true);
    } catch {
      setCopied(false); // e.g. clipboard permission denied: the link is still shown, selected.
    }
  }

  return (
    <div className="share">
      <button type="button" onClick={share} data-testid="copy-link">
        Copy link
      </button>
      {PUBLIC_URL && linksLeavePage(location.href, PUBLIC_URL) && (
        <small className="share-target" data-testid="share-target">
          links open <a href={PUBLIC_URL}>{PUBLIC_URL}</a>
        </small>
      )}
      {link && (
        <span className="share-result">
          <input readOnly value={link} data-testid="share-link" aria-label="Experiment link" onFocus={(e) => e.target.select()} />
          <small role="status">
            {copied ? 'Copied ✓' : 'Select and copy'} · {link.length} characters
          </small>
        </span>
      )}
    </div>
  );
}
