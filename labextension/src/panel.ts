// The "Exoscale models" sidebar: a SidePanel whose toolbar refreshes, and whose content (plain DOM) draws
// the model's state (model.ts): a models list per zone and an import form.
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
import {
  canonicalFix,
  CHECK_ICONS,
  gateFieldLabel,
  gateOf,
  IGateField,
  IReport
} from './format';
import { emptyMessage, hfNotice, importEnabled, IRow, rowOf } from './view';
import { ExoModelsModel } from './model';

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: { [key: string]: any } = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'className') {
      node.className = value;
    } else if (key.startsWith('on')) {
      node.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (value !== undefined && value !== null && value !== false) {
      node.setAttribute(key, value === true ? '' : String(value));
    }
  }
  node.append(...children);
  return node;
}

/** A button's identity across re-renders: its row's model, if any, and its label. */
function buttonKey(button: HTMLButtonElement): string {
  const row = button.closest('[data-model]') as HTMLElement | null;
  return `${row?.dataset.model ?? ''}\u0000${button.getAttribute('aria-label') || button.textContent}`;
}

/** Re-render `container`, keeping the keyboard focus on the same button if it is still there. */
function keepFocus(container: HTMLElement, rerender: () => void): void {
  const active = document.activeElement;
  const key =
    active instanceof HTMLButtonElement && container.contains(active)
      ? buttonKey(active)
      : null;
  rerender();
  if (key !== null) {
    Array.from(container.querySelectorAll('button'))
      .find(button => buttonKey(button) === key)
      ?.focus();
  }
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
      this.empty
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
      ...(report?.checks || []).map(check =>
        el(
          'li',
          {
            className: `jp-ExoModels-check jp-ExoModels-check-${check.status}`,
            'data-check': check.id
          },
          el(
            'span',
            { className: 'jp-ExoModels-icon', 'aria-label': check.status },
            CHECK_ICONS[check.status]
          ),
          el('code', {}, check.id),
          ' ',
          check.message,
          ...(check.fix && (check.status === 'fail' || check.status === 'warn')
            ? [
                el(
                  'div',
                  { className: 'jp-ExoModels-fix' },
                  trans.__('fix: '),
                  check.fix
                )
              ]
            : [])
        )
      )
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
