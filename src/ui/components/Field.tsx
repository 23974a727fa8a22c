/** A labelled input bound to one path of the draft, with the validation message for that path beside it. */
import { useId, type ReactNode } from 'react';
import { editDraft, useExperiment } from '../stores/experiment';

type Path = (string | number)[];

function valueAt(obj: unknown, path: Path): unknown {
  return path.reduce<unknown>((o, k) => (o as Record<string | number, unknown> | undefined)?.[k], obj);
}

export function useIssue(path: Path): string | undefined {
  const key = path.join('.');
  return useExperiment((s) => s.issues.find((i) => i.path === key)?.message);
}

/** Numbers are typed as text: whatever a person types is kept, and the schema says what is wrong with it. */
function parseNumber(text: string): number | string {
  const trimmed = text.trim();
  const n = Number(trimmed);
  return trimmed !== '' && Number.isFinite(n) ? n : text;
}

interface FieldProps {
  label: string;
  path: Path;
  hint?: string;
  disabled?: boolean;
}

interface NumberFieldProps extends FieldProps {
  /**
   * Where the field's message is shown elsewhere (a shared line under a row of narrow fields), the id of that
   * element: the field then shows no message of its own, and points to that one while it is invalid.
   */
  issueShownAt?: string;
}

interface FrameProps {
  id: string;
  label?: string;
  hint?: string;
  issue: string | undefined;
  className?: string;
  children: ReactNode;
}

/** The frame every field shares: label, the control, and the validation message tied to it. */
export function FieldFrame({ id, label, hint, issue, className = '', children }: FrameProps) {
  return (
    <div className={`field ${className}${issue ? ' invalid' : ''}`}>
      {label && (
        <label htmlFor={id} title={hint}>
          {label}
        </label>
      )}
      {children}
      {issue && (
        <span className="field-error" id={`${id}-err`} role="alert">
          {issue}
        </span>
      )}
    </div>
  );
}

export function NumberField({ label, path, hint, disabled, issueShownAt }: NumberFieldProps) {
  const id = useId();
  const value = useExperiment((s) => valueAt(s.draft, path));
  const issue = useIssue(path);
  const describedBy = issue ? (issueShownAt ?? `${id}-err`) : undefined;
  return (
    <FieldFrame id={id} label={label} hint={hint} issue={issueShownAt ? undefined : issue} className={issueShownAt && issue ? 'invalid' : ''}>
      <input
        id={id}
        type="text"
        inputMode="decimal"
        value={value === undefined ? '' : String(value)}
        aria-invalid={Boolean(issue)}
        aria-describedby={describedBy}
        data-path={path.join('.')}
        disabled={disabled}
        onChange={(e) => editDraft(path, parseNumber(e.target.value))}
      />
    </FieldFrame>
  );
}

/** An on/off switch bound to a boolean of the draft. */
export function CheckboxField({ label, path, hint, disabled }: FieldProps) {
  const id = useId();
  const value = useExperiment((s) => valueAt(s.draft, path));
  const issue = useIssue(path);
  return (
    <FieldFrame id={id} issue={issue} className="checkbox-field">
      <label htmlFor={id} title={hint}>
        <input
          id={id}
          type="checkbox"
          checked={value === true}
          aria-invalid={Boolean(issue)}
          data-path={path.join('.')}
          disabled={disabled}
          onChange={(e) => editDraft(path, e.target.checked)}
        />{' '}
        {label}
      </label>
    </FieldFrame>
  );
}

interface SelectProps<T extends string> extends FieldProps {
  options: readonly T[];
  onSelect?: (value: T) => void;
}

export function SelectField<T extends string>({ label, path, options, onSelect, hint }: SelectProps<T>) {
  const id = useId();
  const value = useExperiment((s) => valueAt(s.draft, path)) as T;
  const issue = useIssue(path);
  return (
    <FieldFrame id={id} label={label} hint={hint} issue={issue}>
      <select
        id={id}
        value={value}
        aria-invalid={Boolean(issue)}
        data-path={path.join('.')}
        onChange={(e) => (onSelect ? onSelect(e.target.value as T) : editDraft(path, e.target.value))}
      >
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </FieldFrame>
  );
}
