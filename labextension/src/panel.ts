// The "Exoscale models" sidebar: a models table per zone and an import form, in plain DOM.
import { Dialog, showDialog } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

import { ApiError, ExoModelsApi, IZones } from './api';
import {
  badgeClass,
  canImport,
  canonicalFix,
  CHECK_ICONS,
  formatAge,
  formatBytes,
  gateOf,
  IModel,
  IReport,
  needsRefresh,
  sortModels
} from './format';

const REFRESH_MS = 2000;

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

export class ExoModelsPanel extends Widget {
  private zones: IZones | null = null;
  private zone = 'de-fra-1';
  private models: IModel[] = [];
  private report: IReport | null = null;
  private timer: number | null = null;
  private importing = false;

  private readonly zoneSelect = el('select', { 'aria-label': 'Zone', className: 'jp-ExoModels-zone' });
  private readonly notice = el('div', { className: 'jp-ExoModels-notice', role: 'status' });
  private readonly tableBody = el('tbody');
  private readonly empty = el('div', { className: 'jp-ExoModels-empty' });
  private readonly form = el('form', { className: 'jp-ExoModels-form', hidden: true });
  private readonly modelInput = el('input', {
    id: 'jp-ExoModels-model',
    type: 'text',
    placeholder: 'namespace/model-name',
    autocomplete: 'off',
    spellcheck: 'false'
  });
  private readonly checkButton = el('button', { type: 'submit', className: 'jp-mod-styled jp-mod-accept' }, 'Check');
  private readonly importButton = el('button', { type: 'button', className: 'jp-mod-styled jp-mod-accept', disabled: true }, 'Import');
  private readonly acknowledge = el('input', { type: 'checkbox', id: 'jp-ExoModels-ack' });
  private readonly ackLabel = el('label', { for: 'jp-ExoModels-ack', hidden: true }, this.acknowledge, ' Import despite warnings');
  private readonly checks = el('ul', { className: 'jp-ExoModels-checks', 'aria-live': 'polite' });
  private readonly extra = el('div', { className: 'jp-ExoModels-extra' });
  private readonly message = el('div', { className: 'jp-ExoModels-message', role: 'status' });

  constructor(private readonly api: ExoModelsApi) {
    super();
    this.id = 'jp-exo-models';
    this.addClass('jp-ExoModels');
    this.title.caption = 'Exoscale models';
    this.zoneSelect.addEventListener('change', () => {
      this.zone = this.zoneSelect.value;
      this.report = null;
      this.renderReport();
      void this.refresh();
    });
    this.form.addEventListener('submit', event => {
      event.preventDefault();
      void this.check();
    });
    this.importButton.addEventListener('click', () => void this.startImport());
    this.acknowledge.addEventListener('change', () => this.updateImportButton());
    this.modelInput.addEventListener('input', () => {
      this.report = null;
      this.renderReport();
    });
    this.form.append(
      el('label', { for: 'jp-ExoModels-model' }, 'Hugging Face model id'),
      el('div', { className: 'jp-ExoModels-row' }, this.modelInput, this.checkButton, this.importButton),
      this.ackLabel,
      this.checks,
      this.extra,
      this.message
    );
    const header = el(
      'div',
      { className: 'jp-ExoModels-header' },
      el('h2', {}, 'Exoscale models'),
      el(
        'div',
        { className: 'jp-ExoModels-row' },
        this.zoneSelect,
        el('button', { type: 'button', className: 'jp-mod-styled', onClick: () => void this.refresh(), title: 'Refresh' }, 'Refresh'),
        el('button', { type: 'button', className: 'jp-mod-styled jp-mod-accept', onClick: () => this.toggleForm() }, 'Import model…')
      )
    );
    const table = el(
      'table',
      { className: 'jp-ExoModels-table' },
      el('thead', {}, el('tr', {}, ...['Model', 'State', 'Size', 'Age', ''].map(h => el('th', { scope: 'col' }, h)))),
      this.tableBody
    );
    this.node.append(header, this.notice, this.form, table, this.empty);
  }

  async start(): Promise<void> {
    try {
      this.zones = await this.api.zones();
    } catch (error) {
      this.showNotice(error);
      return;
    }
    this.zone = this.zones.default_zone;
    this.zoneSelect.replaceChildren(...this.zones.zones.map(z => el('option', { value: z, selected: z === this.zone }, z)));
    this.renderNotice();
    await this.refresh();
  }

  openForm(): void {
    this.form.hidden = false;
    this.modelInput.focus();
  }

  private toggleForm(): void {
    if (this.form.hidden) {
      this.openForm();
    } else {
      this.form.hidden = true;
    }
  }

  private renderNotice(): void {
    const zones = this.zones;
    if (!zones) {
      return;
    }
    const parts: (Node | string)[] = [];
    if (zones.sandbox) {
      parts.push(el('span', { className: 'jp-ExoModels-sandbox' }, 'SANDBOX'), ' embedded fake Hugging Face Hub and Exoscale API. ');
    }
    if (!zones.credentials.exoscale.found) {
      parts.push(
        el('strong', {}, 'Exoscale credentials missing. '),
        'Set EXOSCALE_API_KEY and EXOSCALE_API_SECRET (or run `exo config`) before starting JupyterLab, ' +
          'or run jupyter_exo_models.login() in a notebook of this server.'
      );
    }
    if (!zones.credentials.hf.found) {
      parts.push(el('div', {}, 'No Hugging Face token: set HF_TOKEN or run `hf auth login` (needed for gated and private models).'));
    }
    this.notice.replaceChildren(...parts);
    this.notice.hidden = parts.length === 0;
  }

  private showNotice(error: unknown): void {
    const fix = error instanceof ApiError && error.fix ? ` — ${error.fix}` : '';
    this.notice.replaceChildren(el('strong', {}, (error as Error).message || String(error)), fix);
    this.notice.hidden = false;
  }

  async refresh(): Promise<void> {
    try {
      const { models, errors } = await this.api.models(this.zone);
      this.models = sortModels(models);
      const problems = Object.entries(errors).map(([z, e]) => `${z}: ${e.message}`);
      if (problems.length) {
        this.showNotice(new Error(problems.join('; ')));
      }
    } catch (error) {
      this.models = [];
      this.showNotice(error);
    }
    this.renderTable();
    this.schedule();
  }

  private schedule(): void {
    if (this.timer !== null) {
      window.clearTimeout(this.timer);
      this.timer = null;
    }
    if (needsRefresh(this.models) && !this.isDisposed) {
      this.timer = window.setTimeout(() => void this.refresh(), REFRESH_MS);
    }
  }

  private renderTable(): void {
    this.tableBody.replaceChildren(
      ...this.models.map(model =>
        el(
          'tr',
          { 'data-model': model.name },
          el('td', { className: 'jp-ExoModels-name', title: model.id || '' }, model.name),
          el('td', {}, el('span', { className: `jp-ExoModels-badge ${badgeClass(model.state)}` }, model.state)),
          el('td', {}, formatBytes(model.model_size)),
          el('td', {}, formatAge(model.created_at)),
          el('td', {}, el('button', {
            type: 'button',
            className: 'jp-mod-styled jp-ExoModels-delete',
            'aria-label': `Delete ${model.name}`,
            title: `Delete ${model.name}`,
            onClick: () => void this.deleteModel(model)
          }, '✕'))
        )
      )
    );
    this.empty.textContent = this.models.length ? '' : `No models in ${this.zone} yet. Use “Import model…” to add one.`;
    this.empty.hidden = this.models.length > 0;
  }

  private async check(): Promise<void> {
    const model = this.modelInput.value.trim();
    this.checkButton.disabled = true;
    this.message.textContent = `Checking ${model || '(empty id)'}…`;
    try {
      this.report = await this.api.preflight(model, this.zone);
      this.message.textContent = '';
    } catch (error) {
      this.report = null;
      this.message.textContent = `${(error as Error).message}${error instanceof ApiError && error.fix ? ' — ' + error.fix : ''}`;
    } finally {
      this.checkButton.disabled = false;
    }
    this.renderReport();
  }

  private renderReport(): void {
    const report = this.report;
    this.checks.replaceChildren(
      ...(report?.checks || []).map(check =>
        el(
          'li',
          { className: `jp-ExoModels-check jp-ExoModels-check-${check.status}`, 'data-check': check.id },
          el('span', { className: 'jp-ExoModels-icon', 'aria-label': check.status }, CHECK_ICONS[check.status]),
          el('code', {}, check.id),
          ' ',
          check.message,
          ...(check.fix && (check.status === 'fail' || check.status === 'warn') ? [el('div', { className: 'jp-ExoModels-fix' }, 'fix: ', check.fix)] : [])
        )
      )
    );
    const extra: Node[] = [];
    const canonical = canonicalFix(report);
    if (canonical) {
      extra.push(el('button', {
        type: 'button',
        className: 'jp-mod-styled jp-mod-warn',
        onClick: () => {
          this.modelInput.value = canonical;
          void this.check();
        }
      }, `Use ${canonical}`));
    }
    const gate = gateOf(report);
    if (gate) {
      const fields = Object.entries(gate['fields'] || {}).map(([name, kind]) => el('li', {}, `${name} (${kind})`));
      extra.push(
        el(
          'div',
          { className: 'jp-ExoModels-gate' },
          el('strong', {}, gate['heading'] || 'This model is gated'),
          el('p', {}, gate['prompt'] || ''),
          ...(fields.length ? [el('div', {}, 'The Hub will ask for:'), el('ul', {}, ...fields)] : []),
          gate['state'] === 'pending'
            ? el('p', {}, 'Your access request is pending approval by the repo authors.')
            : el('a', { href: gate['url'], target: '_blank', rel: 'noopener noreferrer' }, `Accept the conditions on the model page`),
          el('button', { type: 'button', className: 'jp-mod-styled', onClick: () => void this.check() }, 'Re-check')
        )
      );
    }
    this.extra.replaceChildren(...extra);
    this.ackLabel.hidden = !(report?.ok && report.checks.some(c => c.status === 'warn'));
    this.updateImportButton();
  }

  private updateImportButton(): void {
    this.importButton.disabled = this.importing || !canImport(this.report, this.acknowledge.checked);
  }

  private async startImport(): Promise<void> {
    const report = this.report;
    if (!report || this.importing) {
      return;
    }
    this.importing = true;
    this.updateImportButton();
    this.message.textContent = `Starting the import of ${report.model}…`;
    try {
      const result = await this.api.startImport(report.model, report.zone);
      this.message.textContent = result.attached
        ? `${report.model} was already in ${report.zone}: following it.`
        : `Import of ${report.model} started: its progress shows in the table.`;
    } catch (error) {
      if (error instanceof ApiError && error.report) {
        this.report = error.report;
        this.renderReport();
      }
      this.message.textContent = `${(error as Error).message}${error instanceof ApiError && error.fix ? ' — ' + error.fix : ''}`;
    } finally {
      this.importing = false;
      this.updateImportButton();
    }
    await this.refresh();
  }

  private async deleteModel(model: IModel): Promise<void> {
    const answer = await showDialog({
      title: 'Delete model',
      body: `Delete ${model.name} (${model.id}) from ${model.zone}? Its stored files are removed; importing it again downloads them again.`,
      buttons: [Dialog.cancelButton(), Dialog.warnButton({ label: 'Delete' })]
    });
    if (!answer.button.accept || !model.id) {
      return;
    }
    try {
      await this.api.deleteModel(model.zone, model.id);
    } catch (error) {
      const deployments = error instanceof ApiError ? error.deployments : [];
      await showDialog({
        title: deployments.length ? 'Model in use' : 'Delete failed',
        body: deployments.length
          ? `${model.name} is used by: ${deployments.join(', ')}. ${(error as ApiError).fix}`
          : `${(error as Error).message} ${error instanceof ApiError ? error.fix : ''}`,
        buttons: [Dialog.okButton()]
      });
    }
    await this.refresh();
  }

  dispose(): void {
    if (this.timer !== null) {
      window.clearTimeout(this.timer);
    }
    super.dispose();
  }
}
