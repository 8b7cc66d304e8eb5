import type { ComponentChildren, JSX } from 'preact';
import { useState } from 'preact/hooks';
import { errorText } from '../lib/errors.ts';

export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p class="error" role="alert">
      {errorText(error)}
    </p>
  );
}

export function Notice({ children, kind = 'info' }: { children: ComponentChildren; kind?: 'info' | 'warn' | 'ok' }) {
  return (
    <p class={`notice notice-${kind}`} role="status">
      {children}
    </p>
  );
}

/**
 * A table that may scroll sideways on a narrow screen: keyboard users reach the scroll with Tab (axe
 * "scrollable-region-focusable"), and screen readers hear what the region holds.
 */
export function TableWrap({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <div class="table-wrap" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}

type InputProps = JSX.IntrinsicElements['input'] & { label: string; hint?: ComponentChildren; name: string };

/** A labelled input; the hint is its description (outside the label, so the accessible name stays short). */
export function Field({ label, hint, name, ...rest }: InputProps) {
  const hintId = hint ? `${name}-hint` : undefined;
  return (
    <div class="field">
      <label class="field-label" for={name}>
        {label}
      </label>
      <input name={name} id={name} aria-describedby={hintId} {...rest} />
      {hint && (
        <small id={hintId} class="hint">
          {hint}
        </small>
      )}
    </div>
  );
}

/**
 * A fieldset of checkboxes selecting a subset of `options` (each rendered by `label`, default the
 * value itself). `children` follow the boxes inside the fieldset.
 */
export function CheckboxGroup<T extends string>({
  legend,
  options,
  selected,
  onChange,
  label = (v) => v,
  children,
}: {
  legend: string;
  options: readonly T[];
  selected: readonly T[];
  onChange: (next: T[]) => void;
  label?: (value: T) => ComponentChildren;
  children?: ComponentChildren;
}) {
  return (
    <fieldset>
      <legend>{legend}</legend>
      {options.map((v) => (
        <label key={v} class="check">
          <input
            type="checkbox"
            checked={selected.includes(v)}
            onChange={(e) => onChange(e.currentTarget.checked ? [...selected, v] : selected.filter((x) => x !== v))}
          />
          {label(v)}
        </label>
      ))}
      {children}
    </fieldset>
  );
}

/**
 * Runs an async action with busy and error state: `[run, busy, error]`.
 * The action's error is kept for <ErrorBox>; success clears it.
 */
export function useAction<A extends unknown[]>(fn: (...args: A) => Promise<unknown>): [(...args: A) => Promise<void>, boolean, unknown, (e: unknown) => void] {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async (...args: A) => {
    setBusy(true);
    setError(null);
    try {
      await fn(...args);
    } catch (err) {
      console.warn(err);
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return [run, busy, error, setError];
}

export function submitHandler(fn: () => void) {
  return (e: Event) => {
    e.preventDefault();
    fn();
  };
}
