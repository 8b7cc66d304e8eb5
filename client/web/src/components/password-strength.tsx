import { useEffect, useState } from 'preact/hooks';
import { feedbackText, strengthLabel, type Strength } from '../lib/password.ts';

let checker: Promise<(pw: string, inputs: string[]) => Strength> | null = null;

/** zxcvbn-ts with its common-password dictionary, loaded on first use (its own chunk). */
function loadChecker() {
  checker ??= Promise.all([import('@zxcvbn-ts/core'), import('@zxcvbn-ts/language-common')]).then(([core, common]) => {
    const factory = new core.ZxcvbnFactory({ dictionary: { ...common.dictionary }, graphs: common.adjacencyGraphs });
    return (pw: string, inputs: string[]) => {
      const r = factory.check(pw, inputs);
      return {
        score: r.score,
        warning: feedbackText(r.feedback.warning),
        suggestions: r.feedback.suggestions.map(feedbackText).filter((x): x is string => !!x),
      };
    };
  });
  return checker;
}

export function PasswordStrength({ password, inputs }: { password: string; inputs: string[] }) {
  const [s, setS] = useState<Strength | null>(null);
  useEffect(() => {
    let live = true;
    if (!password) {
      setS(null);
      return;
    }
    void loadChecker().then((check) => live && setS(check(password, inputs)));
    return () => {
      live = false;
    };
  }, [password, inputs.join('\u0000')]);
  if (!password || !s) return <div class="strength" aria-live="polite" />;
  const { label, level } = strengthLabel(s, password);
  return (
    <div class="strength" aria-live="polite" data-level={level}>
      <meter min={0} max={4} value={s.score} aria-label="Password strength" />
      <span>
        Strength: <strong>{label}</strong>
      </span>
      {s.warning && <small>{s.warning}</small>}
      {!s.warning && s.suggestions[0] && <small>{s.suggestions[0]}</small>}
    </div>
  );
}
