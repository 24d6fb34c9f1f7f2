// The sidebar's decisions, as pure functions (panel.ts only draws what these return): tested with jest.
// Their text is translated with the bundle they are given (jest gives nullTranslator's).
import { TranslationBundle } from '@jupyterlab/translation';

import { ApiError, IZones } from './api';
import {
  badgeClass,
  canImport,
  deploymentsNeedRefresh,
  formatAge,
  formatBytes,
  formatGpus,
  gpuLabel,
  IDeployment,
  IDeploymentReport,
  IDiagnosis,
  IModel,
  IReport,
  needsRefresh,
  sortModels
} from './format';

export type NoticeKind =
  'credentials-missing' | 'credentials-rejected' | 'error';

export interface INotice {
  kind: NoticeKind;
  title: string;
  fix: string;
}

// The sidebar talks to the Jupyter server's process, not to a kernel: login() in a notebook does not
// reach it, so the fix names what the server does read.
export function credentialsFix(trans: TranslationBundle): string {
  return trans.__(
    'Set EXOSCALE_API_KEY and EXOSCALE_API_SECRET in the environment JupyterLab starts from (then restart it), ' +
      'or run `exo config` to write ~/.config/exoscale/exoscale.toml (read on every refresh). ' +
      'jupyter_exo_models.login() in a notebook sets credentials for that notebook’s kernel only.'
  );
}

// The server's stable error codes (core/errors.py) that mean the sidebar cannot reach Exoscale as anyone.
const CREDENTIALS_CODES = ['credentials-missing', 'exo-config'];

/**
 * The notice above the list, or null.
 * @param zones what the server said at start (credentials found or not)
 * @param error the last failure of zones() or models(); null once a refresh succeeded
 * @param listed whether a refresh succeeded since `zones` was read (credentials work after all)
 */
export function noticeOf(
  trans: TranslationBundle,
  zones: IZones | null,
  error: unknown,
  listed: boolean
): INotice | null {
  if (error instanceof ApiError && error.code === 'credentials-rejected') {
    return {
      kind: 'credentials-rejected',
      title: trans.__('Exoscale credentials rejected: %1', error.message),
      fix: error.fix
    };
  }
  if (error instanceof ApiError && CREDENTIALS_CODES.includes(error.code)) {
    return {
      kind: 'credentials-missing',
      title: trans.__('Exoscale credentials missing.'),
      fix: credentialsFix(trans)
    };
  }
  if (error) {
    const message = (error as Error).message || String(error);
    return {
      kind: 'error',
      title: message,
      fix: error instanceof ApiError ? error.fix : ''
    };
  }
  if (!listed && zones && !zones.credentials.exoscale.found) {
    return {
      kind: 'credentials-missing',
      title: trans.__('Exoscale credentials missing.'),
      fix: credentialsFix(trans)
    };
  }
  return null;
}

/** The advice when the server found no Hugging Face token, with the login command of its huggingface_hub. */
export function hfNotice(
  trans: TranslationBundle,
  zones: IZones | null
): string | null {
  if (!zones || zones.credentials.hf.found) {
    return null;
  }
  return zones.hf_login_command
    ? trans.__(
        'No Hugging Face token: set HF_TOKEN or run `%1` (needed for gated and private models).',
        zones.hf_login_command
      )
    : trans.__(
        'No Hugging Face token: set HF_TOKEN (needed for gated and private models).'
      );
}

/** The zone to show first: the `defaultZone` setting when it names a zone, else the server's default. */
export function initialZone(zones: IZones, setting: string): string {
  return setting && zones.zones.includes(setting)
    ? setting
    : zones.default_zone;
}

/** What the list says when it has no rows. */
export function emptyMessage(
  trans: TranslationBundle,
  zone: string,
  notice: INotice | null
): string {
  if (notice?.kind.startsWith('credentials')) {
    return trans.__(
      'The models of %1 show here once the Exoscale credentials work.',
      zone
    );
  }
  if (notice) {
    return trans.__('Could not list the models of %1.', zone);
  }
  return trans.__('No models in %1 yet. Use “Import model…” to add one.', zone);
}

// Every refresh lists the zone at Exoscale, so the sidebar follows the CLI/SDK polling schedule of
// SPEC.md (3 s for the first 30 s, then growing linearly toward 60 s at 15 min) instead of a fixed 2 s,
// capped at 30 s because someone is looking at it. Failures back off from there, to the same cap. The first
// interval is the `refreshInterval` setting (3 s by default); a longer one raises the cap to itself.
export const REFRESH_FIRST_MS = 3000;
export const REFRESH_FAST_FOR_MS = 30_000;
export const REFRESH_CAP_MS = 30_000;

/**
 * Milliseconds until the next automatic refresh, or null for none (nothing is being imported).
 * @param models the models shown (kept from before when the last refresh failed)
 * @param busyMs how long imports have been in progress
 * @param failures consecutive failed refreshes
 * @param firstMs the interval of the first 30 s
 * @param deployments the deployments shown, and those followed (a deployment changing is followed too)
 */
export function nextRefreshMs(
  models: IModel[],
  busyMs: number,
  failures: number,
  firstMs: number = REFRESH_FIRST_MS,
  deployments: IDeployment[] = []
): number | null {
  if (!needsRefresh(models) && !deploymentsNeedRefresh(deployments)) {
    return null;
  }
  const growing =
    firstMs +
    (Math.max(0, busyMs - REFRESH_FAST_FOR_MS) *
      Math.max(0, 60_000 - firstMs)) /
      (900_000 - REFRESH_FAST_FOR_MS);
  return Math.round(
    Math.min(
      Math.max(REFRESH_CAP_MS, firstMs),
      growing * 2 ** Math.min(failures, 10)
    )
  );
}

export interface IListState {
  models: IModel[];
  error: unknown; // the last failure; null after a success
  listed: boolean; // a refresh succeeded since the credentials were read
  failures: number; // failed refreshes in a row
}

/** The list after a refresh: a failure keeps the models shown (one blip must not empty the list). */
export function afterRefresh(
  state: IListState,
  outcome: { models: IModel[] } | { error: unknown }
): IListState {
  if ('models' in outcome) {
    return {
      models: sortModels(outcome.models),
      error: null,
      listed: true,
      failures: 0
    };
  }
  return { ...state, error: outcome.error, failures: state.failures + 1 };
}

/** The Import button: only after a check without failures (never forced), warnings acknowledged, once at a time. */
export function importEnabled(
  report: IReport | null,
  acknowledged: boolean,
  importing: boolean
): boolean {
  return !importing && canImport(report, acknowledged);
}

export interface IRow {
  name: string;
  state: string;
  badge: string;
  size: string;
  age: string;
  title: string;
  /** What to delete by: the id, else the name (the server takes either). */
  target: string;
  /** Why a failed import failed, when this server watched it. */
  diagnosis: { cause: string; message: string; fix: string } | null;
  /** A failed model with no diagnosis here: offer to run the checks on its name. */
  offerCheck: boolean;
}

export function rowOf(
  trans: TranslationBundle,
  model: IModel,
  now: Date = new Date()
): IRow {
  const failed = model.state === 'error';
  const diagnosis = failed && model.diagnosis ? model.diagnosis : null;
  return {
    name: model.name,
    state: model.state,
    badge: badgeClass(model.state),
    size: formatBytes(model.model_size),
    age: formatAge(trans, model.created_at, now),
    title: model.id ? trans.__('%1 (id %2)', model.name, model.id) : model.name,
    target: model.id || model.name,
    diagnosis,
    offerCheck: failed && !diagnosis && !model.watching
  };
}

export interface IDeploymentRow {
  name: string;
  state: string;
  badge: string;
  gpus: string;
  replicas: string;
  age: string;
  url: string | null;
  /** Why it failed, when this server watched it. */
  diagnosis: IDiagnosis | null;
  /** The replicas the scale button asks for: 0 when it runs, else 1. */
  scaleTo: number;
  /** Ready with a replica and a URL: a prompt may be sent. */
  canTry: boolean;
}

export function deploymentRowOf(
  trans: TranslationBundle,
  deployment: IDeployment,
  now: Date = new Date()
): IDeploymentRow {
  const replicas = deployment.replicas;
  const ready = deployment.state === 'ready';
  return {
    name: deployment.name,
    state:
      ready && replicas === 0 ? trans.__('scaled to zero') : deployment.state,
    badge: badgeClass(deployment.state),
    gpus: formatGpus(deployment['gpu-type'], deployment['gpu-count']),
    replicas:
      replicas === null || replicas === undefined
        ? '–'
        : trans._n('%1 replica', '%1 replicas', replicas),
    age: formatAge(trans, deployment['created-at'], now),
    url: deployment.url || null,
    diagnosis: deployment.diagnosis || null,
    scaleTo: replicas ? 0 : 1,
    canTry: ready && !!replicas && !!deployment.url
  };
}

export function sortDeployments(deployments: IDeployment[]): IDeployment[] {
  return [...deployments].sort(
    (a, b) =>
      (b['created-at'] || '').localeCompare(a['created-at'] || '') ||
      a.name.localeCompare(b.name)
  );
}

/** The GPU choices of the Deploy dialog: the families authorized in the zone, with their fit. */
export function gpuChoices(
  trans: TranslationBundle,
  report: IDeploymentReport | null
): { value: string; label: string; count: number | null }[] {
  return (report?.gpu_options || [])
    .filter(option => option.authorized)
    .map(option => ({
      value: option.family,
      label: gpuLabel(trans, option),
      count: option.gpu_count
    }));
}

/** What the Deploy dialog says about the deployment it follows. */
export function deploymentProgress(
  trans: TranslationBundle,
  deployment: IDeployment
): { text: string; done: boolean; failed: boolean } {
  const diagnosis = deployment.diagnosis;
  if (diagnosis) {
    return {
      text: trans.__(
        'Failed (%1): %2 — fix: %3',
        diagnosis.cause,
        diagnosis.message,
        diagnosis.fix
      ),
      done: true,
      failed: true
    };
  }
  const smoke = deployment.smoke_test;
  if (deployment.state === 'ready' && !deployment.watching) {
    return {
      text:
        smoke && smoke.ok && smoke.latency_ms !== null
          ? trans.__(
              'Ready at %1; the smoke test answered in %2 ms.',
              deployment.url || '',
              Math.round(smoke.latency_ms)
            )
          : trans.__('Ready at %1.', deployment.url || ''),
      done: true,
      failed: false
    };
  }
  if (deployment.state === 'error' && !deployment.watching) {
    return {
      text: trans.__(
        'Failed: %1',
        deployment['state-details'] || trans.__('see its logs')
      ),
      done: true,
      failed: true
    };
  }
  return {
    text: trans.__('%1: %2…', deployment.name, deployment.state),
    done: false,
    failed: false
  };
}
