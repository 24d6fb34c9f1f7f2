import { nullTranslator } from '@jupyterlab/translation';
import {
  badgeClass,
  canImport,
  canonicalFix,
  formatAge,
  formatBytes,
  gateFieldLabel,
  gateOf,
  IReport,
  needsRefresh,
  sortModels
} from '../src/format';

const trans = nullTranslator.load('jupyter_exo_models');

function report(
  checks: Partial<IReport['checks'][number]>[],
  ok = true
): IReport {
  return {
    model: 'org/model',
    zone: 'de-fra-1',
    ok,
    sandbox: true,
    checks: checks.map(c => ({
      id: 'x',
      status: 'pass',
      message: '',
      fix: '',
      data: {},
      ...c
    })) as IReport['checks']
  };
}

const model = (state: string, created_at: string | null = null) => ({
  id: '1',
  name: `m-${state}`,
  zone: 'de-fra-1',
  state,
  model_size: null,
  created_at,
  updated_at: null
});

describe('formatting', () => {
  it('formats sizes in SI units', () => {
    expect(formatBytes(null)).toBe('–');
    expect(formatBytes(0)).toBe('–');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(2_200_000_000)).toBe('2.2 GB');
  });

  it('formats ages', () => {
    const now = new Date('2026-11-24T12:00:00Z');
    expect(formatAge(trans, '2026-11-24T11:59:30Z', now)).toBe('30s ago');
    expect(formatAge(trans, '2026-11-24T11:00:00Z', now)).toBe('1h ago');
    expect(formatAge(trans, '2026-11-20T12:00:00Z', now)).toBe('4d ago');
    expect(formatAge(trans, 'not a date', now)).toBe('–');
    expect(formatAge(trans, null, now)).toBe('–');
  });

  it('colors states', () => {
    expect(badgeClass('created')).toBe('jp-ExoModels-badge-ok');
    expect(badgeClass('ready')).toBe('jp-ExoModels-badge-ok');
    expect(badgeClass('error')).toBe('jp-ExoModels-badge-error');
    expect(badgeClass('downloading')).toBe('jp-ExoModels-badge-progress');
    expect(badgeClass('something')).toBe('jp-ExoModels-badge-other');
  });

  it('sorts newest first', () => {
    const sorted = sortModels([
      model('created', '2026-01-01T00:00:00Z'),
      model('error', '2026-02-01T00:00:00Z')
    ]);
    expect(sorted.map(m => m.state)).toEqual(['error', 'created']);
  });
});

describe('decisions', () => {
  it('refreshes only while an import is in progress', () => {
    expect(needsRefresh([model('created'), model('error')])).toBe(false);
    expect(needsRefresh([model('created'), model('downloading')])).toBe(true);
    expect(needsRefresh([model('creating')])).toBe(true);
  });

  it('allows import only without failures, and warnings only when acknowledged', () => {
    expect(canImport(null, true)).toBe(false);
    expect(canImport(report([{ status: 'fail' }], false), true)).toBe(false);
    expect(canImport(report([{ status: 'pass' }]), false)).toBe(true);
    expect(canImport(report([{ status: 'warn' }]), false)).toBe(false);
    expect(canImport(report([{ status: 'warn' }]), true)).toBe(true);
  });

  it('offers the canonical id only when the capitalization check fails', () => {
    expect(
      canonicalFix(
        report(
          [
            {
              id: 'repo-id-case',
              status: 'fail',
              data: { canonical_id: 'Org/Model' }
            }
          ],
          false
        )
      )
    ).toBe('Org/Model');
    expect(
      canonicalFix(
        report([
          {
            id: 'repo-id-case',
            status: 'pass',
            data: { canonical_id: 'org/model' }
          }
        ])
      )
    ).toBeNull();
  });

  it('shows the gate when terms are not accepted or pending', () => {
    const gate = {
      state: 'not-accepted',
      prompt: 'agree',
      url: 'https://hub/org/model'
    };
    expect(
      gateOf(
        report([{ id: 'gated-access', status: 'fail', data: gate }], false)
      )
    ).toEqual(gate);
    expect(
      gateOf(
        report(
          [{ id: 'gated-access', status: 'fail', data: { state: 'pending' } }],
          false
        )
      )
    ).toEqual({ state: 'pending' });
    expect(
      gateOf(
        report([
          { id: 'gated-access', status: 'pass', data: { state: 'granted' } }
        ])
      )
    ).toBeNull();
    expect(
      gateOf(
        report(
          [{ id: 'gated-access', status: 'fail', data: { state: 'unknown' } }],
          false
        )
      )
    ).toBeNull();
  });

  it('renders gate fields as choices, never as raw objects', () => {
    expect(
      gateFieldLabel(trans, {
        name: 'Use',
        type: 'select',
        options: ['Research', 'Other']
      })
    ).toBe('Use (one of: Research, Other)');
    expect(
      gateFieldLabel(trans, { name: 'geo', type: 'ip_location', options: [] })
    ).toBe('geo (your IP location, recorded by the Hub)');
    expect(
      gateFieldLabel(trans, { name: 'Company', type: 'text', options: [] })
    ).toBe('Company (text)');
  });
});
