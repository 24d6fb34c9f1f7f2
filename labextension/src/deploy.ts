// The body of the Deploy dialog: the GPU choice with each family's fit, the count, replicas and name, the
// deployment checks, then the deployment followed (by the model's poll) until ready, or its diagnosis.
import { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import { ApiError, IDeployRequest } from './api';
import { checkItem, el } from './dom';
import { canImport, IDeploymentReport } from './format';
import { ExoModelsModel } from './model';
import { deploymentProgress, gpuChoices } from './view';

export class DeployForm extends Widget {
  constructor(
    private readonly model: ExoModelsModel,
    private readonly trans: TranslationBundle,
    readonly modelName: string,
    readonly zone: string
  ) {
    super();
    this.addClass('jp-ExoModels');
    this.addClass('jp-ExoModels-deploy');
    const field = (label: string, input: HTMLElement) =>
      el('label', { className: 'jp-ExoModels-field' }, label, input);
    this.gpu = el('select', { 'aria-label': trans.__('GPU type') });
    this.count = el('input', { type: 'number', min: 1, max: 8, value: 1 });
    this.replicas = el('input', { type: 'number', min: 1, max: 100, value: 1 });
    this.name = el('input', {
      type: 'text',
      autocomplete: 'off',
      spellcheck: 'false'
    });
    this.checkButton = el(
      'button',
      { type: 'button', className: 'jp-mod-styled' },
      trans.__('Check')
    );
    this.deployButton = el(
      'button',
      {
        type: 'button',
        className: 'jp-mod-styled jp-mod-accept',
        disabled: true
      },
      trans.__('Deploy')
    );
    this.gpu.addEventListener('change', () => {
      const chosen = gpuChoices(trans, this.report).find(
        c => c.value === this.gpu.value
      );
      if (chosen?.count) {
        this.count.value = String(chosen.count); // the fewest GPUs of that family that fit
      }
      void this.check();
    });
    for (const input of [this.count, this.replicas, this.name]) {
      input.addEventListener('input', () => this.updateButton());
    }
    this.acknowledge.addEventListener('change', () => this.updateButton());
    this.checkButton.addEventListener('click', () => void this.check());
    this.deployButton.addEventListener('click', () => void this.deploy());
    this.node.append(
      el('div', {}, trans.__('%1 in %2', modelName, zone)),
      field(trans.__('GPU type'), this.gpu),
      el(
        'div',
        { className: 'jp-ExoModels-row' },
        field(trans.__('GPUs'), this.count),
        field(trans.__('Replicas'), this.replicas)
      ),
      field(trans.__('Deployment name'), this.name),
      el(
        'div',
        { className: 'jp-ExoModels-row' },
        this.checkButton,
        this.deployButton
      ),
      el(
        'label',
        { className: 'jp-ExoModels-ackLabel', hidden: true },
        this.acknowledge,
        ' ',
        trans.__('Deploy despite warnings')
      ),
      this.checks,
      this.status
    );
    model.changed.connect(this.follow, this);
    void this.check(true);
  }

  dispose(): void {
    this.model.changed.disconnect(this.follow, this);
    super.dispose();
  }

  /** The checks for the fields as they are; the first time, the server's choice fills them. */
  async check(first = false): Promise<void> {
    const trans = this.trans;
    const request = first ? this.base() : this.request();
    const number = ++this.checksStarted;
    this.report = null;
    this.updateButton();
    this.checkButton.disabled = true;
    this.say(trans.__('Checking…'));
    try {
      const report = await this.model.deployPreflight(request);
      if (number !== this.checksStarted) {
        return; // a newer check answers
      }
      if (first) {
        this.fill(report);
      }
      this.report = report;
      this.checked = JSON.stringify(this.request());
      this.say('');
    } catch (error) {
      this.say(problemOf(trans, error), 'error');
    } finally {
      if (number === this.checksStarted) {
        this.checkButton.disabled = false;
        this.renderChecks();
      }
    }
  }

  private async deploy(): Promise<void> {
    const trans = this.trans;
    const request = this.request();
    this.deploying = true;
    this.updateButton();
    this.say(trans.__('Starting the deployment %1…', request.name || ''));
    try {
      const deployment = await this.model.deploy(request);
      this.following = deployment.name;
      this.follow();
    } catch (error) {
      this.deploying = false;
      if (error instanceof ApiError && error.report) {
        this.report = error.report as IDeploymentReport;
        this.renderChecks();
      }
      this.say(problemOf(trans, error), 'error');
      this.updateButton();
    }
  }

  /** The followed deployment as the model last heard of it. */
  private follow(): void {
    if (!this.following) {
      return;
    }
    const deployment = this.model.followed(this.zone, this.following);
    if (!deployment) {
      return;
    }
    const progress = deploymentProgress(this.trans, deployment);
    this.say(
      progress.text,
      progress.failed ? 'error' : progress.done ? 'ready' : 'progress',
      progress.failed ? deployment.diagnosis?.cause : undefined
    );
    if (progress.done) {
      this.following = null; // retrying is a new deployment: the fields are free again
      this.deploying = false;
      this.updateButton();
    }
  }

  private base(): IDeployRequest {
    return { model: this.modelName, zone: this.zone };
  }

  private request(): IDeployRequest {
    const whole = (input: HTMLInputElement) =>
      /^\d+$/.test(input.value.trim()) ? Number(input.value) : undefined;
    return {
      ...this.base(),
      gpu_type: this.gpu.value || undefined,
      gpu_count: whole(this.count),
      replicas: whole(this.replicas),
      name: this.name.value.trim() || undefined
    };
  }

  private fill(report: IDeploymentReport): void {
    const trans = this.trans;
    const choices = gpuChoices(trans, report);
    this.gpu.replaceChildren(
      ...choices.map(c => el('option', { value: c.value }, c.label))
    );
    if (!choices.length) {
      this.gpu.append(
        el('option', { value: '' }, trans.__('no GPU family authorized here'))
      );
    }
    const plan = report.plan;
    this.gpu.value = plan?.['gpu-type'] || choices[0]?.value || '';
    this.count.value = String(plan?.['gpu-count'] || 1);
    this.replicas.value = String(plan?.replicas || 1);
    this.name.value = report.name || '';
  }

  private renderChecks(): void {
    const report = this.report;
    this.checks.replaceChildren(
      ...(report?.checks || []).map(c => checkItem(this.trans, c))
    );
    this.acknowledge.checked = false; // consent to warnings is given for one report
    this.acknowledge.parentElement!.hidden = !(
      report?.ok && report.checks.some(c => c.status === 'warn')
    );
    this.updateButton();
  }

  /** Deploy only after a check of these very fields passed, warnings acknowledged, once at a time. */
  private updateButton(): void {
    const current =
      this.report && this.checked === JSON.stringify(this.request());
    this.deployButton.disabled =
      this.deploying ||
      !current ||
      !canImport(this.report, this.acknowledge.checked);
  }

  private say(text: string, kind = '', cause?: string): void {
    this.status.textContent = text;
    this.status.dataset.kind = kind;
    if (cause) {
      this.status.dataset.cause = cause;
    } else {
      delete this.status.dataset.cause;
    }
  }

  private report: IDeploymentReport | null = null;
  private checked = ''; // the request the report is about
  private checksStarted = 0;
  private deploying = false;
  private following: string | null = null;
  private readonly gpu: HTMLSelectElement;
  private readonly count: HTMLInputElement;
  private readonly replicas: HTMLInputElement;
  private readonly name: HTMLInputElement;
  private readonly checkButton: HTMLButtonElement;
  private readonly deployButton: HTMLButtonElement;
  private readonly acknowledge = el('input', { type: 'checkbox' });
  private readonly checks = el('ul', {
    className: 'jp-ExoModels-checks',
    'aria-live': 'polite'
  });
  private readonly status = el('div', {
    className: 'jp-ExoModels-deployStatus',
    role: 'status'
  });
}

export function problemOf(trans: TranslationBundle, error: unknown): string {
  const message = (error as Error).message || String(error);
  return error instanceof ApiError && error.fix
    ? trans.__('%1 — %2', message, error.fix)
    : message;
}
