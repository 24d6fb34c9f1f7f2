import { nullTranslator } from '@jupyterlab/translation';
import { ApiError, IZones } from '../src/api';
import { IModel, IReport } from '../src/format';
import {
  afterRefresh,
  credentialsFix,
  emptyMessage,
  hfNotice,
  initialZone,
  importEnabled,
  nextRefreshMs,
  noticeOf,
  REFRESH_CAP_MS,
  rowOf
} from '../src/view';

const trans = nullTranslator.load('jupyter_exo_models');

const zones = (exoscale: boolean, sandbox = false): IZones => ({
  zones: ['de-fra-1'],
  default_zone: 'de-fra-1',
  sandbox,
  credentials: {
    exoscale: { found: exoscale, source: null, key: null, error: null },
    hf: { found: true, source: 'env' }
  }
});

const model = (state: string, extra: Partial<IModel> = {}): IModel => ({
  id: 'abc',
  name: 'sandbox-org/Tiny-Llama-1B',
  zone: 'de-fra-1',
  state,
  model_size: 2_200_000_000,
  created_at: '2026-11-24T11:59:00Z',
  updated_at: null,
  ...extra
});

const missing = new ApiError(424, {
  error: 'CredentialsMissingError',
  code: 'credentials-missing',
  message: 'No Exoscale API credentials found',
  fix: 'login()'
});
const rejected = new ApiError(424, {
  error: 'AuthenticationError',
  code: 'credentials-rejected',
  message: 'HTTP 403',
  fix: 'Check EXOSCALE_API_KEY'
});

describe('notice', () => {
  it('keeps credentials missing distinct from other errors, and points to what the server reads', () => {
    for (const notice of [
      noticeOf(trans, zones(false), null, false),
      noticeOf(trans, zones(false), missing, false),
      noticeOf(trans, zones(true), missing, true)
    ]) {
      expect(notice).toEqual({
        kind: 'credentials-missing',
        title: 'Exoscale credentials missing.',
        fix: credentialsFix(trans)
      });
    }
    expect(credentialsFix(trans)).toContain('EXOSCALE_API_KEY');
    expect(credentialsFix(trans)).toContain('jupyter_exo_models.login()');
    expect(
      emptyMessage(
        trans,
        'de-fra-1',
        noticeOf(trans, zones(false), missing, false)
      )
    ).not.toContain('No models');
  });

  it('says when credentials are rejected, with the server’s fix', () => {
    expect(noticeOf(trans, zones(true), rejected, false)).toMatchObject({
      kind: 'credentials-rejected',
      fix: 'Check EXOSCALE_API_KEY'
    });
  });

  it('shows other failures with their fix', () => {
    const notice = noticeOf(
      trans,
      zones(true),
      new ApiError(502, {
        message: 'Exoscale unreachable',
        fix: 'retry later'
      }),
      true
    );
    expect(notice).toEqual({
      kind: 'error',
      title: 'Exoscale unreachable',
      fix: 'retry later'
    });
    expect(
      noticeOf(trans, null, new TypeError('Failed to fetch'), false)
    ).toMatchObject({ kind: 'error', title: 'Failed to fetch' });
    expect(emptyMessage(trans, 'de-fra-1', notice)).toBe(
      'Could not list the models of de-fra-1.'
    );
  });

  it('clears after a successful refresh', () => {
    expect(noticeOf(trans, zones(true), null, true)).toBeNull();
    expect(noticeOf(trans, zones(false), null, true)).toBeNull(); // the credentials turned up since start
    expect(emptyMessage(trans, 'de-fra-1', null)).toBe(
      'No models in de-fra-1 yet. Use “Import model…” to add one.'
    );
  });
});

describe('refresh schedule', () => {
  const busy = [model('created'), model('downloading')];

  it('does not refresh when nothing is being imported', () => {
    expect(nextRefreshMs([model('created'), model('error')], 0, 0)).toBeNull();
    expect(nextRefreshMs([], 0, 3)).toBeNull();
  });

  it('follows the CLI schedule, 3 s for 30 s then growing, capped', () => {
    expect(nextRefreshMs(busy, 0, 0)).toBe(3000);
    expect(nextRefreshMs(busy, 29_000, 0)).toBe(3000);
    const later = nextRefreshMs(busy, 5 * 60_000, 0)!;
    expect(later).toBeGreaterThan(3000);
    expect(later).toBeLessThan(REFRESH_CAP_MS);
    expect(nextRefreshMs(busy, 60 * 60_000, 0)).toBe(REFRESH_CAP_MS);
  });

  it('keeps refreshing after failures, backing off to the cap', () => {
    expect(nextRefreshMs(busy, 0, 1)).toBe(6000);
    expect(nextRefreshMs(busy, 0, 2)).toBe(12_000);
    expect(nextRefreshMs(busy, 0, 50)).toBe(REFRESH_CAP_MS);
  });

  it('waits for the diagnosis of an import the server still watches', () => {
    expect(nextRefreshMs([model('error', { watching: true })], 0, 0)).toBe(
      3000
    );
    expect(
      nextRefreshMs([model('error', { watching: false })], 0, 0)
    ).toBeNull();
  });
});

describe('after a refresh', () => {
  const shown = {
    models: [model('downloading')],
    error: null,
    listed: true,
    failures: 0
  };

  it('keeps the models shown when a refresh fails, and counts the failures', () => {
    const failed = afterRefresh(
      afterRefresh(shown, { error: new TypeError('Failed to fetch') }),
      { error: new TypeError('again') }
    );
    expect(failed.models).toEqual(shown.models);
    expect(failed.failures).toBe(2);
    expect(nextRefreshMs(failed.models, 0, failed.failures)).toBe(12_000); // still following the import
  });

  it('clears the error and the failures on success, newest first', () => {
    const older = model('created', {
      name: 'a/old',
      created_at: '2026-01-01T00:00:00Z'
    });
    const state = afterRefresh(
      { ...shown, error: missing, failures: 3, listed: false },
      { models: [older, model('created')] }
    );
    expect(state).toMatchObject({ error: null, failures: 0, listed: true });
    expect(state.models.map(m => m.name)).toEqual([
      'sandbox-org/Tiny-Llama-1B',
      'a/old'
    ]);
    expect(noticeOf(trans, zones(false), state.error, state.listed)).toBeNull();
  });
});

describe('import button', () => {
  const report = (status: 'pass' | 'warn' | 'fail'): IReport => ({
    model: 'org/m',
    zone: 'de-fra-1',
    ok: status !== 'fail',
    sandbox: true,
    checks: [{ id: 'x', status, message: '', fix: '', data: {} }]
  });

  it('is enabled only for a clean (or acknowledged) report, never to force past a failure', () => {
    expect(importEnabled(null, false, false)).toBe(false);
    expect(importEnabled(report('pass'), false, false)).toBe(true);
    expect(importEnabled(report('pass'), false, true)).toBe(false); // an import is being started
    expect(importEnabled(report('warn'), false, false)).toBe(false);
    expect(importEnabled(report('warn'), true, false)).toBe(true);
    expect(importEnabled(report('fail'), true, false)).toBe(false);
  });
});

describe('rows', () => {
  const now = new Date('2026-11-24T12:00:00Z');

  it('formats a model', () => {
    expect(rowOf(trans, model('created'), now)).toEqual({
      name: 'sandbox-org/Tiny-Llama-1B',
      state: 'created',
      badge: 'jp-ExoModels-badge-ok',
      size: '2.2 GB',
      age: '1m ago',
      title: 'sandbox-org/Tiny-Llama-1B (id abc)',
      target: 'abc',
      diagnosis: null,
      offerCheck: false
    });
  });

  it('shows the diagnosis of a failed import', () => {
    const diagnosis = {
      cause: 'weights-format',
      message: 'only pytorch_model.bin',
      fix: 'use *.safetensors'
    };
    const row = rowOf(
      trans,
      model('error', { diagnosis, watching: false }),
      now
    );
    expect(row.diagnosis).toEqual(diagnosis);
    expect(row.offerCheck).toBe(false);
  });

  it('offers the checks for a failure nobody here diagnosed, once the server is done with it', () => {
    expect(rowOf(trans, model('error'), now).offerCheck).toBe(true);
    expect(
      rowOf(trans, model('error', { diagnosis: null, watching: true }), now)
        .offerCheck
    ).toBe(false);
    expect(
      rowOf(trans, model('created', { diagnosis: null }), now).offerCheck
    ).toBe(false);
  });

  it('deletes by name when the model has no id yet', () => {
    const row = rowOf(trans, model('creating', { id: null }), now);
    expect(row.target).toBe('sandbox-org/Tiny-Llama-1B');
    expect(row.title).toBe('sandbox-org/Tiny-Llama-1B');
  });
});

describe('errors by code', () => {
  it('tells credentials apart by the server’s code, never by the Python class name', () => {
    const byCode = (code: string, error = 'SomeRenamedClass') =>
      noticeOf(
        trans,
        zones(true),
        new ApiError(424, { error, code, message: 'HTTP 403', fix: 'f' }),
        true
      )?.kind;
    expect(byCode('credentials-rejected')).toBe('credentials-rejected');
    expect(byCode('credentials-missing')).toBe('credentials-missing');
    expect(byCode('exo-config')).toBe('credentials-missing');
    expect(byCode('exoscale-unreachable', 'AuthenticationError')).toBe('error');
    expect(byCode('forbidden', 'CredentialsMissingError')).toBe('error');
  });
});

describe('Hugging Face login advice', () => {
  const noToken = (command?: string): IZones => ({
    ...zones(true),
    credentials: {
      ...zones(true).credentials,
      hf: { found: false, source: null }
    },
    hf_login_command: command
  });

  it('names the login command the server answered, only when no token was found', () => {
    expect(hfNotice(trans, zones(true))).toBeNull();
    expect(hfNotice(trans, null)).toBeNull();
    expect(hfNotice(trans, noToken('hf auth login'))).toContain(
      '`hf auth login`'
    );
    expect(hfNotice(trans, noToken('huggingface-cli login'))).toContain(
      '`huggingface-cli login`'
    );
    expect(hfNotice(trans, noToken())).toContain('HF_TOKEN');
    expect(hfNotice(trans, noToken())).not.toContain('login');
  });
});

describe('settings', () => {
  it('shows the defaultZone setting first when it names a zone, else the server’s default', () => {
    const two = { ...zones(true), zones: ['de-fra-1', 'ch-gva-2'] };
    expect(initialZone(two, '')).toBe('de-fra-1');
    expect(initialZone(two, 'ch-gva-2')).toBe('ch-gva-2');
    expect(initialZone(two, 'xx-nowhere-1')).toBe('de-fra-1');
  });

  it('starts from the refreshInterval setting, and a longer one raises the cap', () => {
    const busy = [model('downloading')];
    expect(nextRefreshMs(busy, 0, 0, 10_000)).toBe(10_000);
    expect(nextRefreshMs(busy, 0, 1, 10_000)).toBe(20_000);
    expect(nextRefreshMs(busy, 0, 0, 120_000)).toBe(120_000);
    expect(nextRefreshMs(busy, 0, 3, 120_000)).toBe(120_000);
  });
});
