// The model's automatic refresh: a Poll that asks the server only while imports are followed and the
// sidebar is shown (jest's fake timers stand for the wait).
import { nullTranslator } from '@jupyterlab/translation';

import { ExoModelsApi, Request } from '../src/api';
import { ExoModelsModel } from '../src/model';

const trans = nullTranslator.load('jupyter_exo_models');
const ZONES = {
  zones: ['de-fra-1', 'ch-gva-2'],
  default_zone: 'de-fra-1',
  sandbox: true,
  credentials: {
    exoscale: { found: true, source: 'sandbox', key: 'EXO1', error: null },
    hf: { found: true, source: 'sandbox' }
  }
};

function modelOf(state: string) {
  const asked: string[] = [];
  const fetch: Request = async path => {
    if (path.startsWith('deployments?')) {
      return {
        ok: true,
        status: 200,
        text: async () => JSON.stringify({ deployments: [], errors: {} })
      } as unknown as Response;
    }
    asked.push(path);
    const body =
      path === 'zones'
        ? ZONES
        : {
            models: [{ id: 'i', name: 'org/a', zone: 'de-fra-1', state }],
            errors: {}
          };
    return {
      ok: true,
      status: 200,
      text: async () => JSON.stringify(body)
    } as unknown as Response;
  };
  const model = new ExoModelsModel(new ExoModelsApi(fetch, trans), trans);
  return { model, asked };
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

test('refreshes on the refreshInterval setting while an import runs and the sidebar shows', async () => {
  const { model, asked } = modelOf('downloading');
  model.setRefreshInterval(5);
  await jest.advanceTimersByTimeAsync(10); // the poll starts before the first answer, as in JupyterLab
  await model.start();
  asked.length = 0;
  await jest.advanceTimersByTimeAsync(11_000);
  expect(asked).toEqual(['models?zone=de-fra-1', 'models?zone=de-fra-1']);
  model.dispose();
});

test('stands by while the sidebar is hidden, and when nothing is being imported', async () => {
  const hidden = modelOf('downloading');
  hidden.model.isShown = () => false;
  await hidden.model.start();
  const done = modelOf('created');
  await done.model.start();
  hidden.asked.length = done.asked.length = 0;
  await jest.advanceTimersByTimeAsync(60_000);
  expect(hidden.asked).toEqual([]);
  expect(done.asked).toEqual([]);
  hidden.model.isShown = () => true;
  hidden.model.shown(); // the sidebar opened: catch up at once
  await jest.advanceTimersByTimeAsync(100);
  expect(hidden.asked).toEqual(['models?zone=de-fra-1']);
  hidden.model.dispose();
  done.model.dispose();
});

test('the defaultZone setting picks the zone shown first, and a change switches to it', async () => {
  const { model, asked } = modelOf('created');
  model.setDefaultZone('ch-gva-2');
  await model.start();
  expect(model.zone).toBe('ch-gva-2');
  model.setDefaultZone('de-fra-1');
  await jest.advanceTimersByTimeAsync(0);
  expect(model.zone).toBe('de-fra-1');
  expect(asked).toEqual([
    'zones',
    'models?zone=ch-gva-2',
    'models?zone=de-fra-1'
  ]);
  model.dispose();
});
