// Pure view logic: formatting and decisions, tested with jest (only the translation bundle's type from
// JupyterLab: the text is translated with the bundle given).
import { TranslationBundle } from '@jupyterlab/translation';

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

export interface ICheck {
  id: string;
  status: CheckStatus;
  message: string;
  fix: string;
  data: { [key: string]: any };
}

export interface IReport {
  model: string;
  zone: string;
  ok: boolean;
  sandbox: boolean;
  checks: ICheck[];
}

/** Why an import ended in `error`: a preflight check id (or "exoscale"), and what to do. */
export interface IDiagnosis {
  cause: string;
  message: string;
  fix: string;
}

export interface IModel {
  id: string | null;
  name: string;
  zone: string;
  state: string;
  model_size: number | null;
  created_at: string | null;
  updated_at: string | null;
  /** Set only when this Jupyter server started or attached to the import. */
  diagnosis?: IDiagnosis | null;
  watching?: boolean;
}

export const IN_PROGRESS = ['creating', 'downloading'];
// a deployment's (the order is not relied on; an unknown state is shown as it is, and followed)
const DEPLOYMENT_IN_PROGRESS = [
  'importing',
  'deploying',
  'scaling',
  'updating',
  'preparing',
  'deleting'
];

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || bytes <= 0) {
    return '–';
  }
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

export function formatAge(
  trans: TranslationBundle,
  iso: string | null | undefined,
  now: Date = new Date()
): string {
  if (!iso) {
    return '–';
  }
  const then = Date.parse(iso);
  if (isNaN(then)) {
    return '–';
  }
  const seconds = Math.max(0, Math.round((now.getTime() - then) / 1000));
  if (seconds < 60) {
    return trans.__('%1s ago', seconds);
  }
  if (seconds < 3600) {
    return trans.__('%1m ago', Math.floor(seconds / 60));
  }
  if (seconds < 86400) {
    return trans.__('%1h ago', Math.floor(seconds / 3600));
  }
  return trans.__('%1d ago', Math.floor(seconds / 86400));
}

/** The CSS modifier of a state badge. */
export function badgeClass(state: string): string {
  if (state === 'created' || state === 'ready') {
    return 'jp-ExoModels-badge-ok';
  }
  if (state === 'error') {
    return 'jp-ExoModels-badge-error';
  }
  if (IN_PROGRESS.includes(state) || DEPLOYMENT_IN_PROGRESS.includes(state)) {
    return 'jp-ExoModels-badge-progress';
  }
  return 'jp-ExoModels-badge-other';
}

export const CHECK_ICONS: { [status in CheckStatus]: string } = {
  pass: '✔',
  warn: '⚠',
  fail: '✘',
  skip: '–'
};

/** Refresh the list on a timer while any model is still being imported, or its diagnosis is still coming. */
export function needsRefresh(models: IModel[]): boolean {
  return models.some(m => IN_PROGRESS.includes(m.state) || m.watching === true);
}

/** Import is allowed when no check fails, and warnings were acknowledged. */
export function canImport(
  report: IReport | null,
  acknowledged: boolean
): boolean {
  if (!report || !report.ok) {
    return false;
  }
  return acknowledged || !report.checks.some(c => c.status === 'warn');
}

/** The canonical id to offer when only the capitalization differs. */
export function canonicalFix(report: IReport | null): string | null {
  const check = report?.checks.find(c => c.id === 'repo-id-case');
  return check && check.status === 'fail'
    ? (check.data['canonical_id'] as string) || null
    : null;
}

/** The gate to show when a gated model is not accessible yet. */
export function gateOf(report: IReport | null): { [key: string]: any } | null {
  const check = report?.checks.find(c => c.id === 'gated-access');
  if (!check || check.status !== 'fail') {
    return null;
  }
  const state = check.data['state'];
  return state === 'not-accepted' || state === 'pending' ? check.data : null;
}

/** A gate field as the core normalized it (`{name, type, options}`). */
export interface IGateField {
  name: string;
  type: string;
  options?: string[];
}

/** One gate field as text: its choices for a select, what the Hub records for `ip_location`, else its type. */
export function gateFieldLabel(
  trans: TranslationBundle,
  field: IGateField
): string {
  if (field.options && field.options.length) {
    return trans.__('%1 (one of: %2)', field.name, field.options.join(', '));
  }
  if (field.type === 'ip_location') {
    return trans.__('%1 (your IP location, recorded by the Hub)', field.name);
  }
  return trans.__('%1 (%2)', field.name, field.type || trans.__('text'));
}

export function sortModels(models: IModel[]): IModel[] {
  return [...models].sort(
    (a, b) =>
      (b.created_at || '').localeCompare(a.created_at || '') ||
      a.name.localeCompare(b.name)
  );
}

/** A deployment as the server answers it (`deploy --json`'s shape, plus what this server's job knows). */
export interface IDeployment {
  id: string | null;
  name: string;
  zone: string;
  state: string;
  'gpu-type': string | null;
  'gpu-count': number | null;
  replicas: number | null;
  url: string | null;
  model: { id: string | null; name: string | null };
  'state-details'?: string | null;
  'created-at'?: string | null;
  /** Set only when this Jupyter server started or attached to it. */
  watching?: boolean;
  diagnosis?: IDiagnosis | null;
  smoke_test?: {
    ok: boolean;
    latency_ms: number | null;
    reply: string | null;
  } | null;
  logs?: string[];
}

/** One GPU family of the zone and whether the model fits it (`fits`, `tight`, `too small`, `unknown`). */
export interface IGpuOption {
  family: string;
  authorized: boolean;
  memory_gib: number | null;
  gpu_count: number | null;
  verdict: string;
}

export interface IDeploymentReport extends IReport {
  name: string | null;
  plan: {
    'gpu-type': string | null;
    'gpu-count': number | null;
    replicas: number;
  } | null;
  gpu_options: IGpuOption[];
}

export interface IChatReply {
  reply: string;
  latency_ms: number;
  model: string;
}

/** States after which a deployment changes only when asked to (scale, delete). */
export const DEPLOYMENT_SETTLED = ['ready', 'error'];

/** Follow a deployment on a timer while it changes, or while this server still watches it. */
export function deploymentsNeedRefresh(deployments: IDeployment[]): boolean {
  return deployments.some(
    d => !DEPLOYMENT_SETTLED.includes(d.state) || d.watching === true
  );
}

export function formatGpus(
  type: string | null | undefined,
  count: number | null | undefined
): string {
  return type ? `${type} × ${count ?? 1}` : '–';
}

/** A GPU choice as in "gpua5000 · 24 GB · fits" (its count when more than one GPU is needed). */
export function gpuLabel(trans: TranslationBundle, option: IGpuOption): string {
  const verdicts: { [verdict: string]: string } = {
    fits: trans.__('fits'),
    tight: trans.__('tight'),
    'too small': trans.__('too small'),
    unknown: trans.__('fit unknown')
  };
  const family =
    option.gpu_count && option.gpu_count > 1
      ? `${option.family} × ${option.gpu_count}`
      : option.family;
  const memory = option.memory_gib
    ? trans.__('%1 GB', option.memory_gib)
    : trans.__('memory unknown');
  return `${family} · ${memory} · ${verdicts[option.verdict] ?? option.verdict}`;
}
