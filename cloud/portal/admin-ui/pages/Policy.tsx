/**
 * The policy editor: the current document as JSON with line numbers, Validate (with the schema the portal saves with,
 * so nothing is sent) and Save (a new version, refused if someone saved meanwhile),
 * problems listed by path and placed on their lines, and the version history beside it — any
 * version can be loaded back into the editor and saved again as the newest.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { PolicyVersionDetail } from '../../../../protocol/portal-admin.js';
import { CodeEditor, type Jump } from '../components/CodeEditor.js';
import { Icon } from '../components/Icon.js';
import { Link } from '../components/Link.js';
import { useNotify } from '../components/Notices.js';
import { PageHeader } from '../components/PageHeader.js';
import { ErrorPanel, Loading } from '../components/States.js';
import { useApi } from '../console-context.js';
import { checkSyntax, errorLines, formatDocument, outcomeOfError, validateDraft, type Outcome } from '../policy-draft.js';
import { useResource } from '../use-resource.js';
import { PolicyHistoryCard } from './PolicyHistory.js';
import { PolicyOutcome } from './PolicyOutcome.js';

export function Policy() {
  const api = useApi();
  const current = useResource(() => api.policy(), [api]);
  return (
    <>
      <PageHeader
        title="Policy"
        description="The document every device follows: app profiles, forwarding, edges and bypasses. Devices pick up a new version at their next sync."
        actions={
          <Link to={{ page: 'simulator' }} class="button">
            <Icon name="simulator" size={16} />
            Simulator
          </Link>
        }
      />
      {current.error && !current.data && <ErrorPanel error={current.error} onRetry={() => void current.reload()} />}
      {!current.data && !current.error && <Loading what="the policy" />}
      {current.data && <Editor initial={current.data} />}
    </>
  );
}

function Editor({ initial }: { initial: PolicyVersionDetail }) {
  const api = useApi();
  const notify = useNotify();
  const [base, setBase] = useState(initial);
  const [text, setText] = useState(() => formatDocument(initial.document));
  const [comment, setComment] = useState('');
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [busy, setBusy] = useState<'save' | null>(null);
  const [jump, setJump] = useState<Jump | null>(null);
  const [historyKey, setHistoryKey] = useState(0);
  const baseText = useMemo(() => formatDocument(base.document), [base]);
  const dirty = text !== baseText;
  const marks = useMemo(() => errorLines(outcome), [outcome]);

  // Leaving with unsaved edits loses them: let the browser ask first.
  useEffect(() => {
    if (!dirty) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    addEventListener('beforeunload', warn);
    return () => removeEventListener('beforeunload', warn);
  }, [dirty]);

  const showingProblems = outcome?.kind === 'invalid' || outcome?.kind === 'syntax';
  const edit = (next: string) => {
    setText(next);
    if (outcome && !showingProblems) setOutcome(null);
  };

  // While problems are listed, re-check shortly after each edit, so each one goes away as it is fixed.
  useEffect(() => {
    if (!showingProblems) return;
    const timer = setTimeout(() => {
      const draft = checkSyntax(text);
      setOutcome(draft.ok ? validateDraft(text, draft.document) : draft.outcome);
    }, 500);
    return () => clearTimeout(timer);
  }, [text]);

  const validate = () => {
    const draft = checkSyntax(text);
    setOutcome(draft.ok ? validateDraft(text, draft.document) : draft.outcome);
  };

  const save = async () => {
    const draft = checkSyntax(text);
    if (!draft.ok) return setOutcome(draft.outcome);
    // Known problems are shown at once; the portal would refuse the same document with the same list.
    const checked = validateDraft(text, draft.document);
    if (checked.kind === 'invalid') {
      notify('error', `Not saved: the policy has ${checked.issues.length} problem${checked.issues.length === 1 ? '' : 's'}.`);
      return setOutcome(checked);
    }
    setBusy('save');
    try {
      const saved = await api.savePolicy({ document: draft.document, comment: comment.trim(), baseVersion: base.version });
      setBase(saved);
      setText(formatDocument(saved.document));
      setComment('');
      setOutcome({ kind: 'saved', version: saved.version });
      setHistoryKey((k) => k + 1);
      notify('success', `Policy saved as version ${saved.version}.`);
    } catch (err) {
      const failed = outcomeOfError(text, err);
      setOutcome(failed);
      notify('error', failed.kind === 'invalid' ? `Not saved: the policy has ${failed.issues.length} problem${failed.issues.length === 1 ? '' : 's'}.` : `Not saved: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      setBusy(null);
    }
  };

  const reloadCurrent = async () => {
    try {
      const latest = await api.policy();
      setBase(latest);
      setText(formatDocument(latest.document));
      setOutcome({ kind: 'loaded', version: latest.version });
      setHistoryKey((k) => k + 1);
    } catch (err) {
      setOutcome(outcomeOfError(text, err));
    }
  };

  const loadVersion = (version: PolicyVersionDetail) => {
    setText(formatDocument(version.document));
    setOutcome({ kind: 'loaded', version: version.version });
  };

  const discard = () => {
    setText(baseText);
    setOutcome(null);
  };

  const format = () => {
    const draft = checkSyntax(text);
    if (draft.ok) setText(formatDocument(draft.document));
    else setOutcome(draft.outcome);
  };

  return (
    <div class="policy-layout">
      <section class="card" aria-labelledby="editor-title">
        <div class="card-head">
          <div>
            <h2 class="card-title" id="editor-title">
              Version {base.version}
              {dirty && <span class="muted"> · edited</span>}
            </h2>
            <p class="card-subtitle">
              JSON. Problems are marked in the margin; <kbd>Tab</kbd> moves on to the buttons.
            </p>
          </div>
          <div class="page-actions">
            <button type="button" class="button small ghost" onClick={format}>
              Format
            </button>
            <button type="button" class="button small ghost" disabled={!dirty} onClick={discard}>
              Discard changes
            </button>
          </div>
        </div>
        <CodeEditor value={text} onInput={edit} label={`Policy document, editing version ${base.version}`} errorLines={marks} jump={jump} describedBy="policy-outcome" />
        <div class="editor-bar">
          <label class="sr-only" for="policy-comment">
            What changed
          </label>
          <input id="policy-comment" class="input" maxLength={500} placeholder="What changed (shown in the history)" value={comment} onInput={(e) => setComment(e.currentTarget.value)} />
          <button type="button" class="button" disabled={busy !== null} onClick={validate}>
            Validate
          </button>
          <button type="button" class="button primary" disabled={busy !== null || !dirty} onClick={() => void save()} data-testid="save-policy">
            {busy === 'save' ? 'Saving…' : 'Save new version'}
          </button>
        </div>
        <PolicyOutcome outcome={outcome} busy={busy} onJump={(line) => setJump({ line, seq: Date.now() })} onReloadCurrent={() => void reloadCurrent()} />
      </section>
      <PolicyHistoryCard key={historyKey} currentVersion={base.version} onLoad={loadVersion} />
    </div>
  );
}
