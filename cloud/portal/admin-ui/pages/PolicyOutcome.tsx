/**
 * The result of Validate or Save, under the editor, in a live region so it is read out: saved,
 * valid, or each problem with its path and a button that jumps to its line.
 */
import { Icon } from '../components/Icon.js';
import type { Outcome } from '../policy-draft.js';

export function PolicyOutcome({ outcome, busy, onJump, onReloadCurrent }: { outcome: Outcome | null; busy: 'save' | null; onJump: (line: number) => void; onReloadCurrent: () => void }) {
  return (
    <div id="policy-outcome" aria-live="polite" data-testid="policy-outcome">
      {busy === null && outcome && <Body outcome={outcome} onJump={onJump} onReloadCurrent={onReloadCurrent} />}
    </div>
  );
}

function Body({ outcome, onJump, onReloadCurrent }: { outcome: Outcome; onJump: (line: number) => void; onReloadCurrent: () => void }) {
  switch (outcome.kind) {
    case 'saved':
      return (
        <p class="save-status ok editor-status">
          <Icon name="check" size={16} /> Saved as version {outcome.version}. Devices pick it up at their next sync.
        </p>
      );
    case 'valid':
      return (
        <p class="save-status ok editor-status">
          <Icon name="check" size={16} /> The policy is valid. Nothing is saved until you save a new version.
        </p>
      );
    case 'loaded':
      return (
        <p class="save-status info editor-status">
          Version {outcome.version} is in the editor. Save to make it the newest version.
        </p>
      );
    case 'syntax':
      return (
        <div class="issues" role="group" aria-label="JSON error">
          <p class="issues-title">
            <Icon name="alert" size={16} /> This is not valid JSON
          </p>
          <p class="issue">
            {outcome.line !== null && (
              <button type="button" class="issue-line" onClick={() => onJump(outcome.line ?? 1)}>
                Line {outcome.line}
                {outcome.column !== null ? `:${outcome.column}` : ''}
              </button>
            )}
            <span>{outcome.message}</span>
          </p>
        </div>
      );
    case 'invalid':
      return (
        <div class="issues" role="group" aria-label="Policy problems">
          <p class="issues-title">
            <Icon name="alert" size={16} /> {outcome.issues.length === 1 ? '1 problem' : `${outcome.issues.length} problems`}: nothing was saved
          </p>
          <ul data-testid="policy-issues">
            {outcome.issues.map((issue, i) => (
              <li key={i} class="issue">
                {issue.line !== null && (
                  <button type="button" class="issue-line" onClick={() => onJump(issue.line ?? 1)} aria-label={`Go to line ${issue.line}`}>
                    Line {issue.line}
                  </button>
                )}
                <code class="issue-path">{issue.label}</code>
                <span>{issue.message}</span>
              </li>
            ))}
          </ul>
        </div>
      );
    case 'conflict':
      return (
        <div class="issues" role="group" aria-label="Save conflict">
          <p class="issues-title">
            <Icon name="alert" size={16} /> Someone else saved meanwhile
          </p>
          <p>{outcome.message}</p>
          <p class="form-actions section-gap">
            <button type="button" class="button small" onClick={onReloadCurrent}>
              Load the newest version (your edits are replaced)
            </button>
          </p>
        </div>
      );
    case 'failed':
      return (
        <p class="save-status bad editor-status" role="alert">
          <Icon name="alert" size={16} /> {outcome.message}
        </p>
      );
  }
}
