// Pure view logic: formatting and decisions, tested with jest (no JupyterLab imports here).

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
    return `${seconds}s ago`;
  }
  if (seconds < 3600) {
    return `${Math.floor(seconds / 60)}m ago`;
  }
  if (seconds < 86400) {
    return `${Math.floor(seconds / 3600)}h ago`;
  }
  return `${Math.floor(seconds / 86400)}d ago`;
}

/** The CSS modifier of a state badge. */
export function badgeClass(state: string): string {
  if (state === 'created' || state === 'ready') {
    return 'jp-ExoModels-badge-ok';
  }
  if (state === 'error') {
    return 'jp-ExoModels-badge-error';
  }
  if (IN_PROGRESS.includes(state)) {
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
export function gateFieldLabel(field: IGateField): string {
  if (field.options && field.options.length) {
    return `${field.name} (one of: ${field.options.join(', ')})`;
  }
  if (field.type === 'ip_location') {
    return `${field.name} (your IP location, recorded by the Hub)`;
  }
  return `${field.name} (${field.type || 'text'})`;
}

export function sortModels(models: IModel[]): IModel[] {
  return [...models].sort(
    (a, b) =>
      (b.created_at || '').localeCompare(a.created_at || '') ||
      a.name.localeCompare(b.name)
  );
}
