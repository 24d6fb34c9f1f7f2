// The "Exoscale models" sidebar: a models table per zone and an import form, in plain DOM.
import { Dialog, showDialog } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

import { ApiError, ExoModelsApi, IZones } from './api';
import {
  canonicalFix,
  CHECK_ICONS,
  gateFieldLabel,
  gateOf,
  IGateField,
  IModel,
  IReport
} from './format';
import {
  afterRefresh,
  emptyMessage,
  IListState,
  importEnabled,
  IRow,
  nextRefreshMs,
  noticeOf,
  rowOf
} from './view';

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

export class ExoModelsPanel extends Widget {
  private zones: IZones | null = null;
  private zone = 'de-fra-1';
  private report: IReport | null = null;
  private checksStarted = 0; // only the latest check, still about the fields as they are, may set the report
  private started: { name: string; zone: string } | null = null; // an import started here, until it is listed
  private timer: number | null = null;
  private importing = false;
  private state: IListState = {
    models: [],
    error: null,
    listed: false,
    failures: 0
  };
  private busySince: number | null = null; // when the imports on screen started being followed

  private readonly zoneSelect = el('select', {
    'aria-label': 'Zone',
    className: 'jp-ExoModels-zone'
  });
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
  private readonly formToggle = el(
    'button',
    {
      type: 'button',
      className: 'jp-mod-styled jp-mod-accept',
      'aria-expanded': 'false',
      'aria-controls': 'jp-ExoModels-form'
    },
    'Import model…'
  );
  private readonly modelInput = el('input', {
    id: 'jp-ExoModels-model',
    type: 'text',
    placeholder: 'namespace/model-name',
    autocomplete: 'off',
    spellcheck: 'false'
  });
  private readonly checkButton = el(
    'button',
    { type: 'submit', className: 'jp-mod-styled jp-mod-accept' },
    'Check'
  );
  private readonly importButton = el(
    'button',
    {
      type: 'button',
      className: 'jp-mod-styled jp-mod-accept',
      disabled: true
    },
    'Import'
  );
  private readonly acknowledge = el('input', {
    type: 'checkbox',
    id: 'jp-ExoModels-ack'
  });
  private readonly ackLabel = el(
    'label',
    { for: 'jp-ExoModels-ack', hidden: true },
    this.acknowledge,
    ' Import despite warnings'
  );
  private readonly checks = el('ul', {
    className: 'jp-ExoModels-checks',
    'aria-live': 'polite'
  });
  private readonly extra = el('div', { className: 'jp-ExoModels-extra' });
  private readonly message = el('div', {
    className: 'jp-ExoModels-message',
    role: 'status'
  });

  constructor(private readonly api: ExoModelsApi) {
    super();
    this.id = 'jp-exo-models';
    this.addClass('jp-ExoModels');
    this.title.caption =
      'Exoscale models: import Hugging Face models into Dedicated Inference';
    this.node.setAttribute('role', 'region');
    this.node.setAttribute('aria-label', 'Exoscale models');
    this.zoneSelect.addEventListener('change', () => {
      this.zone = this.zoneSelect.value;
      this.state = {
        models: [],
        error: null,
        listed: this.state.listed,
        failures: 0
      }; // another zone's list
      this.report = null;
      this.renderReport();
      void this.refresh();
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
      el('label', { for: 'jp-ExoModels-model' }, 'Hugging Face model id'),
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
    const header = el(
      'div',
      { className: 'jp-ExoModels-header' },
      el('h2', {}, 'Exoscale models'),
      el(
        'div',
        { className: 'jp-ExoModels-row' },
        this.zoneSelect,
        el(
          'button',
          {
            type: 'button',
            className: 'jp-mod-styled',
            onClick: () => void this.start()
          },
          'Refresh'
        ),
        this.formToggle
      )
    );
    this.node.append(header, this.notice, this.form, this.list, this.empty);
  }

  /** Read the zones and credentials, then list the models (also the Refresh and Retry buttons). */
  async start(): Promise<void> {
    try {
      this.zones = await this.api.zones();
    } catch (error) {
      this.state = { ...this.state, error };
      this.render();
      return;
    }
    if (!this.zoneSelect.options.length) {
      this.zone = this.zones.default_zone;
      this.zoneSelect.replaceChildren(
        ...this.zones.zones.map(z =>
          el('option', { value: z, selected: z === this.zone }, z)
        )
      );
    }
    this.state = { ...this.state, listed: false };
    this.busySince = null; // someone is looking: follow imports quickly again
    await this.refresh();
  }

  openForm(): void {
    this.form.hidden = false;
    this.formToggle.setAttribute('aria-expanded', 'true');
    this.modelInput.focus();
  }

  private toggleForm(): void {
    if (this.form.hidden) {
      this.openForm();
    } else {
      this.form.hidden = true;
      this.formToggle.setAttribute('aria-expanded', 'false');
    }
  }

  async refresh(): Promise<void> {
    const zone = this.zone;
    let outcome: { models: IModel[] } | { error: unknown };
    try {
      outcome = { models: (await this.api.models(zone)).models };
    } catch (error) {
      outcome = { error };
    }
    if (zone !== this.zone) {
      return; // the zone changed meanwhile: its own refresh draws it
    }
    this.state = afterRefresh(this.state, outcome);
    await this.followStarted(zone);
    this.render();
    this.schedule();
  }

  /** An import Exoscale refuses before any model exists is never listed: ask the server for its diagnosis. */
  private async followStarted(zone: string): Promise<void> {
    const started = this.started;
    if (!started || started.zone !== zone || !this.state.listed) {
      return;
    }
    if (this.state.models.some(model => model.name === started.name)) {
      this.started = null; // the list follows it now
      return;
    }
    try {
      const status = await this.api.model(zone, started.name);
      if (status.diagnosis) {
        this.message.textContent = `Import of ${started.name} failed: ${status.diagnosis.message} — fix: ${status.diagnosis.fix}`;
      }
      if (status.diagnosis || status.watching === false) {
        this.started = null;
      }
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        this.started = null; // neither Exoscale nor this server knows of it: nothing to follow
      } // otherwise a blip: ask again at the next refresh
    }
  }

  private schedule(): void {
    if (this.timer !== null) {
      window.clearTimeout(this.timer);
      this.timer = null;
    }
    const now = Date.now();
    const pending = this.started
      ? [{ name: this.started.name, state: 'creating' } as IModel]
      : [];
    const delay = nextRefreshMs(
      [...this.state.models, ...pending],
      now - (this.busySince ?? now),
      this.state.failures
    );
    this.busySince = delay === null ? null : (this.busySince ?? now);
    if (delay !== null && !this.isDisposed) {
      this.timer = window.setTimeout(() => void this.refresh(), delay);
    }
  }

  private render(): void {
    const zones = this.zones;
    const notice = noticeOf(zones, this.state.error, this.state.listed);
    const parts: Node[] = [];
    if (zones?.sandbox) {
      parts.push(
        el(
          'div',
          {},
          el('span', { className: 'jp-ExoModels-sandbox' }, 'SANDBOX'),
          ' embedded fake Hugging Face Hub and Exoscale API.'
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
              onClick: () => void this.start()
            },
            'Retry'
          )
        )
      );
    }
    if (zones && !zones.credentials.hf.found) {
      parts.push(
        el(
          'div',
          {},
          'No Hugging Face token: set HF_TOKEN or run `hf auth login` (needed for gated and private models).'
        )
      );
    }
    keepFocus(this.notice, () => this.notice.replaceChildren(...parts));
    this.notice.hidden = parts.length === 0;
    this.list.setAttribute('aria-label', `Models in ${this.zone}`);
    keepFocus(this.list, () =>
      this.list.replaceChildren(
        ...this.state.models.map(model => this.item(rowOf(model)))
      )
    );
    this.empty.textContent = this.state.models.length
      ? ''
      : emptyMessage(this.zone, notice);
    this.empty.hidden = this.state.models.length > 0;
  }

  // One model: the name on its own line (the sidebar is narrow), then state, size, age and delete.
  private item(row: IRow): HTMLLIElement {
    const details: Node[] = [];
    if (row.diagnosis) {
      details.push(
        el(
          'div',
          {
            className: 'jp-ExoModels-diagnosis',
            'data-cause': row.diagnosis.cause
          },
          el('strong', {}, `Why it failed (${row.diagnosis.cause}): `),
          row.diagnosis.message,
          el(
            'div',
            { className: 'jp-ExoModels-fix' },
            'fix: ',
            row.diagnosis.fix
          )
        )
      );
    } else if (row.offerCheck) {
      details.push(
        el(
          'div',
          { className: 'jp-ExoModels-diagnosis' },
          'The import failed at Exoscale. ',
          el(
            'button',
            {
              type: 'button',
              className: 'jp-mod-styled',
              onClick: () => void this.checkModel(row.name)
            },
            'Find out why'
          )
        )
      );
    }
    return el(
      'li',
      { className: 'jp-ExoModels-item', 'data-model': row.name },
      el('div', { className: 'jp-ExoModels-name', title: row.title }, row.name),
      el(
        'div',
        { className: 'jp-ExoModels-meta' },
        el('span', { className: `jp-ExoModels-badge ${row.badge}` }, row.state),
        el('span', { title: 'Size' }, row.size),
        el('span', { title: 'Created' }, row.age),
        el(
          'button',
          {
            type: 'button',
            className: 'jp-mod-styled jp-ExoModels-delete',
            'aria-label': `Delete ${row.name}`,
            title: `Delete ${row.name}`,
            onClick: () => void this.deleteModel(row)
          },
          '✕'
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
    const model = this.modelInput.value.trim();
    const zone = this.zone;
    const number = ++this.checksStarted;
    this.checkButton.disabled = true;
    this.message.textContent = `Checking ${model || '(empty id)'}…`;
    let report: IReport | null = null;
    let problem = '';
    try {
      report = await this.api.preflight(model, zone);
    } catch (error) {
      problem = `${(error as Error).message}${error instanceof ApiError && error.fix ? ' — ' + error.fix : ''}`;
    }
    if (number !== this.checksStarted) {
      return; // a newer check answers
    }
    this.checkButton.disabled = false;
    if (!this.describesFields(model, zone)) {
      this.message.textContent = 'Changed while checking: check again.';
      return; // the result is about a model or zone the form no longer shows
    }
    this.report = report;
    this.message.textContent = problem;
    this.renderReport();
  }

  private describesFields(model: string, zone: string): boolean {
    return model === this.modelInput.value.trim() && zone === this.zone;
  }

  private renderReport(): void {
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
            ? [el('div', { className: 'jp-ExoModels-fix' }, 'fix: ', check.fix)]
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
          `Use ${canonical}`
        )
      );
    }
    const gate = gateOf(report);
    if (gate) {
      const fields = ((gate['fields'] || []) as IGateField[]).map(f =>
        el('li', {}, gateFieldLabel(f))
      );
      extra.push(
        el(
          'div',
          { className: 'jp-ExoModels-gate' },
          el('strong', {}, gate['heading'] || 'This model is gated'),
          el('p', {}, gate['prompt'] || ''),
          ...(fields.length
            ? [el('div', {}, 'The Hub will ask for:'), el('ul', {}, ...fields)]
            : []),
          gate['state'] === 'pending'
            ? el(
                'p',
                {},
                'Your access request is pending approval by the repo authors.'
              )
            : el(
                'a',
                {
                  href: gate['url'],
                  target: '_blank',
                  rel: 'noopener noreferrer'
                },
                `Accept the conditions on the model page`
              ),
          el(
            'button',
            {
              type: 'button',
              className: 'jp-mod-styled',
              onClick: () => void this.check()
            },
            'Re-check'
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
    this.message.textContent = `Starting the import of ${report.model}…`;
    try {
      const result = await this.api.startImport(report.model, report.zone);
      this.message.textContent = result.attached
        ? `${report.model} was already in ${report.zone}: following it.`
        : `Import of ${report.model} started: its progress shows in the list below.`;
      this.started = { name: report.model, zone: report.zone };
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
    this.busySince = null;
    await this.refresh();
  }

  private async deleteModel(row: IRow): Promise<void> {
    const zone = this.zone;
    const answer = await showDialog({
      title: 'Delete model',
      body: `Delete ${row.title} from ${zone}? Its stored files are removed; importing it again downloads them again.`,
      buttons: [Dialog.cancelButton(), Dialog.warnButton({ label: 'Delete' })]
    });
    if (!answer.button.accept) {
      return;
    }
    try {
      await this.api.deleteModel(zone, row.target);
    } catch (error) {
      const deployments = error instanceof ApiError ? error.deployments : [];
      await showDialog({
        title: deployments.length ? 'Model in use' : 'Delete failed',
        body: deployments.length
          ? `${row.name} is used by: ${deployments.join(', ')}. ${(error as ApiError).fix}`
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
