/** "@" mentions in the composer (PROTOCOL.md §9.3 **Mentions**): pure helpers and the suggestion listbox. */

export interface MentionCandidate {
  id: string;
  name: string;
}

/** The text typed after an "@" that starts a word and ends at the caret, or null when the caret is not in one. */
export function mentionQuery(text: string, caret: number): string | null {
  const before = text.slice(0, caret);
  const m = /(?:^|\s)@([^\s@]{0,40})$/u.exec(before);
  return m ? m[1]! : null;
}

/** Replaces the "@query" before the caret by "@Name " and returns the new text and caret. */
export function insertMention(text: string, caret: number, name: string): { text: string; caret: number } {
  const before = text.slice(0, caret);
  const at = before.lastIndexOf('@');
  const head = `${before.slice(0, at)}@${name} `;
  return { text: head + text.slice(caret), caret: head.length };
}

/**
 * The officers a text mentions as "@Name". Longest names first, and a name found is taken out of the text, so
 * "@Ann Lee" mentions Ann Lee and not also Ann.
 */
export function mentionsIn(text: string, candidates: MentionCandidate[]): string[] {
  const found: string[] = [];
  let rest = text;
  for (const c of [...candidates].sort((a, b) => b.name.length - a.name.length)) {
    const tag = `@${c.name}`;
    if (!rest.includes(tag)) continue;
    if (!found.includes(c.id)) found.push(c.id);
    rest = rest.split(tag).join(' ');
  }
  return found;
}

/** The suggestions under the composer's text: the textarea keeps focus (↑/↓ move, Enter picks, Esc closes). */
export function MentionList({ id, label, candidates, active, onChoose }: { id: string; label: string; candidates: MentionCandidate[]; active: number; onChoose: (c: MentionCandidate) => void }) {
  return (
    <ul class="mention-list" role="listbox" id={id} aria-label={label}>
      {candidates.map((c, i) => (
        <li
          key={c.id}
          id={`mention-${c.id}`}
          role="option"
          aria-selected={i === active}
          class={i === active ? 'active' : ''}
          onPointerDown={(e) => {
            e.preventDefault();
            onChoose(c);
          }}
        >
          @{c.name}
        </li>
      ))}
    </ul>
  );
}
