// The "Exoscale models" sidebar: a SidePanel whose toolbar refreshes, and whose content (plain DOM) draws
// the model's state (model.ts): a models list per zone, an import form, and the zone's deployments (each
// scaled, deleted, its logs read, a prompt tried); Deploy… on a created model opens the Deploy dialog.
import { Dialog, showDialog } from '@jupyterlab/apputils';
import { ITranslator, TranslationBundle } from '@jupyterlab/translation';
import {
  deleteIcon,
  refreshIcon,
  SidePanel,
  ToolbarButton
} from '@jupyterlab/ui-components';
import type { Message } from '@lumino/messaging';
import { Panel, Widget } from '@lumino/widgets';

import { ApiError } from './api';
import { DeployForm, problemOf } from './deploy';
import { checkItem, el } from './dom';
import {
  canonicalFix,
  gateFieldLabel,
  gateOf,
  IGateField,
  IReport
} from './format';
import {
  deploymentRowOf,
  emptyMessage,
  hfNotice,
  IDeploymentRow,
  importEnabled,
  IRow,
  rowOf
} from './view';
import { ExoModelsModel } from './model';

/** A button's identity across re-renders: its row's model, if any, and its label. */
function buttonKey(button: HTMLButtonElement): string {
  const row = button.closest(
    '[data-model],[data-deployment]'
  ) as HTMLElement | null;
  const owner = row?.dataset.model ?? row?.dataset.deployment ?? '';
  return `${owner}\u0000${button.getAttribute('aria-label') || button.textContent}`;
}

/** Re-render `container`, keeping the keyboard focus on the same button (or kept field) if still there. */
function keepFocus(container: HTMLElement, rerender: () => void): void {
  const active = document.activeElement;
  const key =
    active instanceof HTMLButtonElement && container.contains(active)
      ? buttonKey(active)
      : null;
  rerender();
  if (active instanceof HTMLElement && container.contains(active)) {
    active.focus(); // a node kept across renders (a prompt being typed)
  } else if (key !== null) {
    Array.from(container.querySelectorAll('button'))
      .find(button => buttonKey(button) === key)
      ?.focus();
  }
}

interface IKept {
  tryIt: HTMLFormElement;
  logs: HTMLElement;
  lines: HTMLElement;
  logsOpen: boolean;
}

export class ExoModelsPanel extends SidePanel {
  /** The panel draws `model` and disposes of it with itself. */
  constructor(
    readonly model: ExoModelsModel,
    translator: ITranslator
  ) {
    super({ content: new Panel(), translator });
    const trans = (this.trans = translator.load('jupyter_exo_models'));
    this.id = 'jp-exo-models';
    this.addClass('jp-ExoModels-panel');
    this.title.caption = trans.__(
      'Exoscale models: import Hugging Face models into Dedicated Inference'
    );
    this.content.node.setAttribute('aria-label', trans.__('Exoscale models'));

    const heading = new Widget({
      node: el('h2', {}, trans.__('Exoscale models'))
    });
    this.header.addWidget(heading);
    this.toolbar.addItem(
      'refresh',
      new ToolbarButton({
        icon: refreshIcon,
        tooltip: trans.__('Refresh'),
        onClick: () => void this.model.start()
      })
    );

    this.zoneSelect = el('select', {
      'aria-label': trans.__('Zone'),
      className: 'jp-ExoModels-zone'
    });
    this.formToggle = el(
      'button',
      {
        type: 'button',
        className: 'jp-mod-styled jp-mod-accept',
        'aria-expanded': 'false',
        'aria-controls': 'jp-ExoModels-form'
      },
      trans.__('Import model…')
    );
    this.modelInput = el('input', {
      id: 'jp-ExoModels-model',
      type: 'text',
      placeholder: trans.__('namespace/model-name'),
      autocomplete: 'off',
      spellcheck: 'false'
    });
    this.checkButton = el(
      'button',
      { type: 'submit', className: 'jp-mod-styled jp-mod-accept' },
      trans.__('Check')
    );
    this.importButton = el(
      'button',
      {
        type: 'button',
        className: 'jp-mod-styled jp-mod-accept',
        disabled: true
      },
      trans.__('Import')
    );
    this.ackLabel = el(
      'label',
      { for: 'jp-ExoModels-ack', hidden: true },
      this.acknowledge,
      ' ',
      trans.__('Import despite warnings')
    );

    this.zoneSelect.addEventListener('change', () => {
      this.report = null;
      this.renderReport();
      void this.model.setZone(this.zoneSelect.value);
    });
    this.formToggle.addEventListener('click', () => this.toggleForm());
    this.form.addEventListener('submit', event => {
      event.preventDefault();
      void this.check();
    });
    this.importButton.addEventListener('click', () => void this.startImport());
    this.acknowledge.addEventListener('change', () =>
      this.updateImportButton()
    );
    this.modelInput.addEventListener('input', () => {
      this.report = null;
      this.renderReport();
    });
    this.form.append(
      el(
        'label',
        { for: 'jp-ExoModels-model' },
        trans.__('Hugging Face model id')
      ),
      el(
        'div',
        { className: 'jp-ExoModels-row' },
        this.modelInput,
        this.checkButton,
        this.importButton
      ),
      this.ackLabel,
      this.checks,
      this.extra,
      this.message
    );
    const body = new Widget();
    body.addClass('jp-ExoModels');
    body.node.append(
      el(
        'div',
        { className: 'jp-ExoModels-row' },
        this.zoneSelect,
        this.formToggle
      ),
      this.notice,
      this.form,
      this.list,
      this.empty,
      this.deploymentsHeading,
      this.deploymentsNotice,
      this.deploymentList,
      this.deploymentsEmpty
    );
    this.addWidget(body);

    // Nothing is refreshed automatically while the sidebar is collapsed (the model's poll stands by).
    model.isShown = () => this.isVisible;
    model.changed.connect(this.render, this);
    model.messaged.connect((_, text) => {
      this.message.textContent = text;
    }, this);
  }

  openForm(): void {
    this.form.hidden = false;
    this.formToggle.setAttribute('aria-expanded', 'true');
    this.modelInput.focus();
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.model.dispose(); // also disconnects the panel from its signals
    super.dispose();
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.model.shown();
  }

  private toggleForm(): void {
    if (this.form.hidden) {
      this.openForm();
    } else {
      this.form.hidden = true;
      this.formToggle.setAttribute('aria-expanded', 'false');
    }
  }

  private render(): void {
    const trans = this.trans;
    const model = this.model;
    const zones = model.zones;
    if (zones && !this.zoneSelect.options.length) {
      this.zoneSelect.replaceChildren(
        ...zones.zones.map(z => el('option', { value: z }, z))
      );
    }
    if (this.zoneSelect.value !== model.zone) {
      this.zoneSelect.value = model.zone; // e.g. the defaultZone setting changed
      this.report = null;
      this.renderReport();
    }
    const notice = model.notice;
    const parts: Node[] = [];
    if (zones?.sandbox) {
      parts.push(
        el(
          'div',
          {},
          el(
            'span',
            { className: 'jp-ExoModels-sandbox' },
            trans.__('SANDBOX')
          ),
          ' ',
          trans.__('embedded fake Hugging Face Hub and Exoscale API.')
        )
      );
    }
    if (notice) {
      parts.push(
        el(
          'div',
          {
            className: `jp-ExoModels-alert jp-ExoModels-${notice.kind}`,
            'data-notice': notice.kind
          },
          el('strong', {}, notice.title),
          ...(notice.fix ? [el('div', {}, notice.fix)] : []),
          el(
            'button',
            {
              type: 'button',
              className: 'jp-mod-styled',
              onClick: () => void this.model.start()
            },
            trans.__('Retry')
          )
        )
      );
    }
    const hf = hfNotice(trans, zones);
    if (hf) {
      parts.push(el('div', { className: 'jp-ExoModels-hf' }, hf));
    }
    keepFocus(this.notice, () => this.notice.replaceChildren(...parts));
    this.notice.hidden = parts.length === 0;
    this.list.setAttribute('aria-label', trans.__('Models in %1', model.zone));
    const models = model.state.models;
    keepFocus(this.list, () =>
      this.list.replaceChildren(...models.map(m => this.item(rowOf(trans, m))))
    );
    this.empty.textContent = models.length
      ? ''
      : emptyMessage(trans, model.zone, notice);
    this.empty.hidden = models.length > 0;
    this.renderDeployments();
  }

  private renderDeployments(): void {
    const trans = this.trans;
    const { items, error } = this.model.deployments;
    const zone = this.model.zone;
    this.deploymentsHeading.textContent = trans.__('Deployments in %1', zone);
    this.deploymentList.setAttribute(
      'aria-label',
      trans.__('Deployments in %1', zone)
    );
    for (const name of [...this.kept.keys()]) {
      if (!items.some(d => d.name === name)) {
        this.kept.delete(name); // deleted, or another zone: its prompt and logs go with it
      }
    }
    keepFocus(this.deploymentList, () =>
      this.deploymentList.replaceChildren(
        ...items.map(d => this.deploymentItem(deploymentRowOf(trans, d)))
      )
    );
    this.deploymentsNotice.textContent = error
      ? trans.__('Could not list the deployments: %1', problemOf(trans, error))
      : '';
    this.deploymentsNotice.hidden = !error;
    this.deploymentsEmpty.textContent = trans.__(
      'No deployments in %1. Use “Deploy…” on a created model.',
      zone
    );
    this.deploymentsEmpty.hidden = items.length > 0 || !!error;
  }

  // One deployment: its name, then state, GPUs, replicas, age and actions, its URL, why it failed, the
  // prompt field when it can answer, and its logs when opened.
  private deploymentItem(row: IDeploymentRow): HTMLLIElement {
    const trans = this.trans;
    const kept = this.keptOf(row.name);
    const remove = trans.__('Delete deployment %1', row.name);
    kept.logs.hidden = !kept.logsOpen;
    kept.tryIt.hidden = !row.canTry;
    return el(
      'li',
      {
        className: 'jp-ExoModels-item',
        'data-deployment': row.name,
        'data-state': row.state
      },
      el('div', { className: 'jp-ExoModels-name' }, row.name),
      el(
        'div',
        { className: 'jp-ExoModels-meta' },
        el('span', { className: `jp-ExoModels-badge ${row.badge}` }, row.state),
        el('span', { title: trans.__('GPU type × count') }, row.gpus),
        el('span', { title: trans.__('Replicas') }, row.replicas),
        el('span', { title: trans.__('Created') }, row.age)
      ),
      el(
        'div',
        { className: 'jp-ExoModels-row' },
        el(
          'button',
          {
            type: 'button',
            className: 'jp-mod-styled',
            onClick: () => void this.scale(row.name, row.scaleTo)
          },
          row.scaleTo ? trans.__('Scale to 1') : trans.__('Scale to zero')
        ),
        el(
          'button',
          {
            type: 'button',
            className: 'jp-mod-styled',
            'aria-expanded': kept.logsOpen ? 'true' : 'false',
            onClick: () => void this.toggleLogs(row.name)
          },
          trans.__('Logs')
        ),
        el(
          'button',
          {
            type: 'button',
            className: 'jp-mod-styled jp-ExoModels-delete',
            'aria-label': remove,
            title: remove,
            onClick: () => void this.deleteDeployment(row.name)
          },
          deleteIcon.element({
            tag: 'span',
            className: 'jp-ExoModels-deleteIcon'
          })
        )
      ),
      ...(row.url
        ? [el('code', { className: 'jp-ExoModels-url' }, row.url)]
        : []),
      ...(row.diagnosis
        ? [
            el(
              'div',
              {
                className: 'jp-ExoModels-diagnosis',
                'data-cause': row.diagnosis.cause
              },
              el(
                'strong',
                {},
                trans.__('Why it failed (%1): ', row.diagnosis.cause)
              ),
              row.diagnosis.message,
              el(
                'div',
                { className: 'jp-ExoModels-fix' },
                trans.__('fix: '),
                row.diagnosis.fix
              )
            )
          ]
        : []),
      kept.tryIt,
      kept.logs
    );
  }

  /** The parts of a deployment's row that outlive a re-render: the prompt typed, the reply, the logs. */
  private keptOf(name: string): IKept {
    let kept = this.kept.get(name);
    if (kept) {
      return kept;
    }
    const trans = this.trans;
    const prompt = el('input', {
      type: 'text',
      'aria-label': trans.__('Prompt for %1', name),
      placeholder: trans.__('Try it: a prompt'),
      autocomplete: 'off'
    });
    const reply = el('div', {
      className: 'jp-ExoModels-reply',
      role: 'status'
    });
    const send = el(
      'button',
      { type: 'submit', className: 'jp-mod-styled jp-mod-accept' },
      trans.__('Send')
    );
    const tryIt = el(
      'form',
      { className: 'jp-ExoModels-try' },
      el('div', { className: 'jp-ExoModels-row' }, prompt, send),
      reply
    );
    tryIt.addEventListener('submit', event => {
      event.preventDefault();
      void this.tryIt(name, prompt, send, reply);
    });
    const lines = el('pre', { className: 'jp-ExoModels-logLines' });
    const logs = el(
      'div',
      { className: 'jp-ExoModels-logs' },
      el(
        'button',
        {
          type: 'button',
          className: 'jp-mod-styled',
          onClick: () => void this.readLogs(name)
        },
        trans.__('Refresh logs')
      ),
      lines
    );
    kept = { tryIt, logs, lines, logsOpen: false };
    this.kept.set(name, kept);
    return kept;
  }

  private async tryIt(
    name: string,
    prompt: HTMLInputElement,
    send: HTMLButtonElement,
    reply: HTMLElement
  ): Promise<void> {
    const trans = this.trans;
    const text = prompt.value;
    if (!text.trim()) {
      reply.textContent = trans.__('Write a prompt first.');
      return;
    }
    send.disabled = true;
    reply.textContent = trans.__('Sending…');
    delete reply.dataset.latency;
    try {
      const answer = await this.model.chat(this.model.zone, name, text);
      reply.textContent = trans.__(
        '%1 (%2 ms)',
        answer.reply,
        Math.round(answer.latency_ms)
      );
      reply.dataset.latency = String(answer.latency_ms);
    } catch (error) {
      reply.textContent =
        error instanceof ApiError && error.cause === 'endpoint-unavailable'
          ? trans.__(
              '%1 answers nothing now (scaled to zero, or still loading): scale it to 1, or retry.',
              name
            )
          : problemOf(trans, error);
    } finally {
      send.disabled = false;
    }
  }

  private async toggleLogs(name: string): Promise<void> {
    const kept = this.keptOf(name);
    kept.logsOpen = !kept.logsOpen;
    this.renderDeployments();
    if (kept.logsOpen) {
      await this.readLogs(name);
    }
  }

  private async readLogs(name: string): Promise<void> {
    const kept = this.keptOf(name);
    try {
      const { lines } = await this.model.logs(this.model.zone, name);
      kept.lines.textContent = lines.length
        ? lines.join('\n')
        : this.trans.__('(no log lines yet)');
    } catch (error) {
      kept.lines.textContent = problemOf(this.trans, error);
    }
  }

  private async scale(name: string, replicas: number): Promise<void> {
    try {
      await this.model.scale(this.model.zone, name, replicas);
    } catch (error) {
      await showDialog({
        title: this.trans.__('Scale failed'),
        body: problemOf(this.trans, error),
        buttons: [Dialog.okButton()]
      });
    }
  }

  private async deleteDeployment(name: string): Promise<void> {
    const trans = this.trans;
    const zone = this.model.zone;
    const answer = await showDialog({
      title: trans.__('Delete deployment'),
      body: trans.__(
        'Delete %1 from %2? Its GPUs are released and its endpoint stops answering; the model stays imported.',
        name,
        zone
      ),
      buttons: [
        Dialog.cancelButton(),
        Dialog.warnButton({ label: trans.__('Delete') })
      ]
    });
    if (!answer.button.accept) {
      return;
    }
    try {
      await this.model.deleteDeployment(zone, name);
    } catch (error) {
      await showDialog({
        title: trans.__('Delete failed'),
        body: problemOf(trans, error),
        buttons: [Dialog.okButton()]
      });
    }
  }

  /** The Deploy dialog for a created model: its checks, then the deployment followed until ready. */
  openDeploy(modelName: string): Promise<void> {
    const trans = this.trans;
    const form = new DeployForm(this.model, trans, modelName, this.model.zone);
    return showDialog({
      title: trans.__('Deploy %1', modelName),
      body: form,
      // not an accept button: JupyterLab disables those while a field is invalid (a count of 0)
      buttons: [Dialog.cancelButton({ label: trans.__('Close') })]
    }).then(() => form.dispose());
  }

  // One model: the name on its own line (the sidebar is narrow), then state, size, age and delete.
  private item(row: IRow): HTMLLIElement {
    const trans = this.trans;
    const details: Node[] = [];
    if (row.diagnosis) {
      details.push(
        el(
          'div',
          {
            className: 'jp-ExoModels-diagnosis',
            'data-cause': row.diagnosis.cause
          },
          el(
            'strong',
            {},
            trans.__('Why it failed (%1): ', row.diagnosis.cause)
          ),
          row.diagnosis.message,
          el(
            'div',
            { className: 'jp-ExoModels-fix' },
            trans.__('fix: '),
            row.diagnosis.fix
          )
        )
      );
    } else if (row.offerCheck) {
      details.push(
        el(
          'div',
          { className: 'jp-ExoModels-diagnosis' },
          trans.__('The import failed at Exoscale.'),
          ' ',
          el(
            'button',
            {
              type: 'button',
              className: 'jp-mod-styled',
              onClick: () => void this.checkModel(row.name)
            },
            trans.__('Find out why')
          )
        )
      );
    }
    const label = trans.__('Delete %1', row.name);
    const deploy = trans.__('Deploy %1', row.name);
    return el(
      'li',
      { className: 'jp-ExoModels-item', 'data-model': row.name },
      el('div', { className: 'jp-ExoModels-name', title: row.title }, row.name),
      el(
        'div',
        { className: 'jp-ExoModels-meta' },
        el('span', { className: `jp-ExoModels-badge ${row.badge}` }, row.state),
        el('span', { title: trans.__('Size') }, row.size),
        el('span', { title: trans.__('Created') }, row.age),
        ...(row.state === 'created'
          ? [
              el(
                'button',
                {
                  type: 'button',
                  className:
                    'jp-mod-styled jp-mod-accept jp-ExoModels-deployButton',
                  'aria-label': deploy,
                  title: deploy,
                  onClick: () => void this.openDeploy(row.name)
                },
                trans.__('Deploy…')
              )
            ]
          : []),
        el(
          'button',
          {
            type: 'button',
            className: 'jp-mod-styled jp-ExoModels-delete',
            'aria-label': label,
            title: label,
            onClick: () => void this.deleteModel(row)
          },
          deleteIcon.element({
            tag: 'span',
            className: 'jp-ExoModels-deleteIcon'
          })
        )
      ),
      ...details
    );
  }

  private async checkModel(name: string): Promise<void> {
    this.openForm();
    this.modelInput.value = name;
    await this.check();
  }

  private async check(): Promise<void> {
    const trans = this.trans;
    const model = this.modelInput.value.trim();
    const zone = this.model.zone;
    const number = ++this.checksStarted;
    this.checkButton.disabled = true;
    this.message.textContent = model
      ? trans.__('Checking %1…', model)
      : trans.__('Checking (empty id)…');
    let report: IReport | null = null;
    let problem = '';
    try {
      report = await this.model.preflight(model, zone);
    } catch (error) {
      problem = this.problemOf(error);
    }
    if (number !== this.checksStarted) {
      return; // a newer check answers
    }
    this.checkButton.disabled = false;
    if (!this.describesFields(model, zone)) {
      this.message.textContent = trans.__(
        'Changed while checking: check again.'
      );
      return; // the result is about a model or zone the form no longer shows
    }
    this.report = report;
    this.message.textContent = problem;
    this.renderReport();
  }

  private problemOf(error: unknown): string {
    const message = (error as Error).message;
    return error instanceof ApiError && error.fix
      ? this.trans.__('%1 — %2', message, error.fix)
      : message;
  }

  private describesFields(model: string, zone: string): boolean {
    return model === this.modelInput.value.trim() && zone === this.model.zone;
  }

  private renderReport(): void {
    const trans = this.trans;
    const report = this.report;
    this.checks.replaceChildren(
      ...(report?.checks || []).map(check => checkItem(trans, check))
    );
    const extra: Node[] = [];
    const canonical = canonicalFix(report);
    if (canonical) {
      extra.push(
        el(
          'button',
          {
            type: 'button',
            className: 'jp-mod-styled jp-mod-warn',
            onClick: () => {
              this.modelInput.value = canonical;
              void this.check();
            }
          },
          trans.__('Use %1', canonical)
        )
      );
    }
    const gate = gateOf(report);
    if (gate) {
      const fields = ((gate['fields'] || []) as IGateField[]).map(f =>
        el('li', {}, gateFieldLabel(trans, f))
      );
      extra.push(
        el(
          'div',
          { className: 'jp-ExoModels-gate' },
          el('strong', {}, gate['heading'] || trans.__('This model is gated')),
          el('p', {}, gate['prompt'] || ''),
          ...(fields.length
            ? [
                el('div', {}, trans.__('The Hub will ask for:')),
                el('ul', {}, ...fields)
              ]
            : []),
          gate['state'] === 'pending'
            ? el(
                'p',
                {},
                trans.__(
                  'Your access request is pending approval by the repo authors.'
                )
              )
            : el(
                'a',
                {
                  href: gate['url'],
                  target: '_blank',
                  rel: 'noopener noreferrer'
                },
                trans.__('Accept the conditions on the model page')
              ),
          el(
            'button',
            {
              type: 'button',
              className: 'jp-mod-styled',
              onClick: () => void this.check()
            },
            trans.__('Re-check')
          )
        )
      );
    }
    keepFocus(this.extra, () => this.extra.replaceChildren(...extra));
    this.acknowledge.checked = false; // consent to warnings is given for one report
    this.ackLabel.hidden = !(
      report?.ok && report.checks.some(c => c.status === 'warn')
    );
    this.updateImportButton();
  }

  private updateImportButton(): void {
    const report =
      this.report && this.describesFields(this.report.model, this.report.zone)
        ? this.report
        : null;
    this.importButton.disabled = !importEnabled(
      report,
      this.acknowledge.checked,
      this.importing
    );
  }

  private async startImport(): Promise<void> {
    const trans = this.trans;
    const report = this.report;
    if (
      !report ||
      this.importing ||
      !this.describesFields(report.model, report.zone)
    ) {
      return;
    }
    this.importing = true;
    this.updateImportButton();
    this.message.textContent = trans.__(
      'Starting the import of %1…',
      report.model
    );
    try {
      const result = await this.model.startImport(report.model, report.zone);
      this.message.textContent = result.attached
        ? trans.__(
            '%1 was already in %2: following it.',
            report.model,
            report.zone
          )
        : trans.__(
            'Import of %1 started: its progress shows in the list below.',
            report.model
          );
    } catch (error) {
      if (error instanceof ApiError && error.report) {
        this.report = error.report;
        this.renderReport();
      }
      this.message.textContent = this.problemOf(error);
    } finally {
      this.importing = false;
      this.updateImportButton();
    }
    await this.model.refresh();
  }

  private async deleteModel(row: IRow): Promise<void> {
    const trans = this.trans;
    const zone = this.model.zone;
    const answer = await showDialog({
      title: trans.__('Delete model'),
      body: trans.__(
        'Delete %1 from %2? Its stored files are removed; importing it again downloads them again.',
        row.title,
        zone
      ),
      buttons: [
        Dialog.cancelButton(),
        Dialog.warnButton({ label: trans.__('Delete') })
      ]
    });
    if (!answer.button.accept) {
      return;
    }
    try {
      await this.model.deleteModel(zone, row.target);
    } catch (error) {
      const deployments = error instanceof ApiError ? error.deployments : [];
      await showDialog({
        title: deployments.length
          ? trans.__('Model in use')
          : trans.__('Delete failed'),
        body: deployments.length
          ? trans.__(
              '%1 is used by: %2. %3',
              row.name,
              deployments.join(', '),
              (error as ApiError).fix
            )
          : this.problemOf(error),
        buttons: [Dialog.okButton()]
      });
    }
  }

  private readonly trans: TranslationBundle;
  private report: IReport | null = null;
  private checksStarted = 0; // only the latest check, still about the fields as they are, may set the report
  private importing = false;
  private readonly zoneSelect: HTMLSelectElement;
  private readonly notice = el('div', {
    className: 'jp-ExoModels-notice',
    role: 'status'
  });
  private readonly list = el('ul', { className: 'jp-ExoModels-list' });
  private readonly deploymentsHeading = el('h3', {
    className: 'jp-ExoModels-heading'
  });
  private readonly deploymentsNotice = el('div', {
    className: 'jp-ExoModels-alert',
    role: 'status'
  });
  private readonly deploymentList = el('ul', {
    className: 'jp-ExoModels-list jp-ExoModels-deployments'
  });
  private readonly deploymentsEmpty = el('div', {
    className: 'jp-ExoModels-empty'
  });
  private readonly kept = new Map<string, IKept>(); // by deployment name
  private readonly empty = el('div', { className: 'jp-ExoModels-empty' });
  private readonly form = el('form', {
    id: 'jp-ExoModels-form',
    className: 'jp-ExoModels-form',
    hidden: true
  });
  private readonly formToggle: HTMLButtonElement;
  private readonly modelInput: HTMLInputElement;
  private readonly checkButton: HTMLButtonElement;
  private readonly importButton: HTMLButtonElement;
  private readonly acknowledge = el('input', {
    type: 'checkbox',
    id: 'jp-ExoModels-ack'
  });
  private readonly ackLabel: HTMLLabelElement;
  private readonly checks = el('ul', {
    className: 'jp-ExoModels-checks',
    'aria-live': 'polite'
  });
  private readonly extra = el('div', { className: 'jp-ExoModels-extra' });
  private readonly message = el('div', {
    className: 'jp-ExoModels-message',
    role: 'status'
  });
}
