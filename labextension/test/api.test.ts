import { nullTranslator } from '@jupyterlab/translation';
import { ApiError, ExoModelsApi } from '../src/api';

const trans = nullTranslator.load('jupyter_exo_models');

type Call = { path: string; method?: string; body?: string };

function fakeServer(status: number, body: any, calls: Call[] = []) {
  return async (path: string, init: { method?: string; body?: string }) => {
    calls.push({ path, ...init });
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    return {
      ok: status < 400,
      status,
      text: async () => text
    } as unknown as Response;
  };
}

describe('ExoModelsApi', () => {
  it('sends the documented routes and bodies', async () => {
    const calls: Call[] = [];
    const api = new ExoModelsApi(
      fakeServer(200, { models: [], errors: {} }, calls),
      trans
    );
    await api.models('de-fra-1');
    await api.preflight('org/model', 'de-fra-1');
    await api.startImport('org/model', 'de-fra-1');
    await api.model('de-fra-1', 'abc');
    await api.deleteModel('de-fra-1', 'abc');
    expect(calls.map(c => `${c.method} ${c.path}`)).toEqual([
      'GET models?zone=de-fra-1',
      'POST preflight',
      'POST imports',
      'GET models/de-fra-1/abc',
      'DELETE models/de-fra-1/abc'
    ]);
    expect(JSON.parse(calls[2].body!)).toEqual({
      model: 'org/model',
      zone: 'de-fra-1'
    }); // never forced
  });

  it('turns error answers into ApiError with message, fix, deployments and report', async () => {
    const api = new ExoModelsApi(
      fakeServer(409, {
        message: 'in use',
        fix: 'delete deployments',
        deployments: ['d1']
      }),
      trans
    );
    await expect(api.deleteModel('de-fra-1', 'abc')).rejects.toMatchObject({
      status: 409,
      message: 'in use'
    });
    try {
      await api.deleteModel('de-fra-1', 'abc');
    } catch (error) {
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).fix).toBe('delete deployments');
      expect((error as ApiError).deployments).toEqual(['d1']);
    }
    const refused = new ExoModelsApi(
      fakeServer(422, {
        message: 'refused',
        report: { ok: false, checks: [] }
      }),
      trans
    );
    await expect(
      refused.startImport('org/model', 'de-fra-1')
    ).rejects.toMatchObject({ report: { ok: false } });
  });

  it('survives a non-JSON answer', async () => {
    const api = new ExoModelsApi(
      fakeServer(502, '<html>Bad Gateway</html>'),
      trans
    );
    await expect(api.zones()).rejects.toThrow(
      'Unexpected answer from the server (HTTP 502)'
    );
  });

  it('encodes zone and id in paths', async () => {
    const calls: Call[] = [];
    await new ExoModelsApi(fakeServer(200, {}, calls), trans).model(
      'de-fra-1',
      'org/model?x'
    );
    expect(calls[0].path).toBe('models/de-fra-1/org%2Fmodel%3Fx');
  });
});
