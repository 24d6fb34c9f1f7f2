// The sidebar panel's DOM, driven as a user would, over a fake server.
import { nullTranslator } from '@jupyterlab/translation';

import { ExoModelsApi, Request } from '../src/api';
import { ExoModelsModel } from '../src/model';
import { ExoModelsPanel } from '../src/panel';
import { asked, answers } from './stubs/apputils';

const trans = nullTranslator.load('jupyter_exo_models');

/** The tests of the models' side: every zone has no deployments (the Deployments tests answer their own). */
function noDeployments(fetch: Request): Request {
  return async (path, init) =>
    path.startsWith('deployments?')
      ? answer(200, { deployments: [], errors: {} })
      : fetch(path, init);
}

function panelOf(fetch: Request, deployments = false): ExoModelsPanel {
  const api = new ExoModelsApi(
    deployments ? fetch : noDeployments(fetch),
    trans
  );
  const model = new ExoModelsModel(api, trans);
  const panel = new ExoModelsPanel(model, nullTranslator);
  document.body.appendChild(panel.node);
  return panel;
}

const ZONES = {
  zones: ['de-fra-1', 'ch-gva-2'],
  default_zone: 'de-fra-1',
  sandbox: true,
  credentials: {
    exoscale: { found: true, source: 'sandbox', key: 'EXO1', error: null },
    hf: { found: true, source: 'sandbox' }
  }
};
const CREATING = {
  id: 'id-1',
  name: 'org/a',
  zone: 'de-fra-1',
  state: 'creating',
  model_size: 1,
  created_at: new Date().toISOString(),
  updated_at: null
};

function answer(status: number, body: unknown): Response {
  return {
    ok: status < 400,
    status,
    text: async () => JSON.stringify(body)
  } as unknown as Response;
}

function report(model: string, zone: string) {
  return {
    model,
    zone,
    ok: true,
    sandbox: true,
    checks: [
      { id: 'repo-id', status: 'pass', message: 'valid', fix: '', data: {} }
    ]
  };
}

const settle = () => new Promise(resolve => setTimeout(resolve, 0));

/** A panel whose preflight answers only when the test releases it; the import requests are recorded. */
async function panelWithSlowCheck() {
  let release: (response: Response) => void = () => undefined;
  const imports: unknown[] = [];
  const fetch: Request = async (path, init) => {
    if (path === 'zones') {
      return answer(200, ZONES);
    }
    if (path.startsWith('models')) {
      return answer(200, { models: [], errors: {} });
    }
    if (path === 'preflight') {
      return new Promise<Response>(resolve => (release = resolve));
    }
    imports.push(JSON.parse(init.body || '{}'));
    return answer(201, { model: CREATING, attached: false });
  };
  const panel = panelOf(fetch);
  await panel.model.start();
  panel.openForm();
  const input = panel.node.querySelector(
    '#jp-ExoModels-model'
  ) as HTMLInputElement;
  const importButton = Array.from(panel.node.querySelectorAll('button')).find(
    b => b.textContent === 'Import'
  ) as HTMLButtonElement;
  const check = async (model: string) => {
    input.value = model;
    panel.node
      .querySelector('form')!
      .dispatchEvent(new Event('submit', { cancelable: true }));
    await settle();
  };
  return {
    panel,
    input,
    importButton,
    imports,
    check,
    release: (r: Response) => release(r)
  };
}

afterEach(() => document.body.replaceChildren());

test('a check answered after the id was edited enables nothing', async () => {
  const ui = await panelWithSlowCheck();
  await ui.check('org/first');
  ui.input.value = 'org/second';
  ui.input.dispatchEvent(new Event('input'));
  ui.release(answer(200, report('org/first', 'de-fra-1')));
  await settle();
  expect(ui.importButton.disabled).toBe(true);
  ui.importButton.click();
  await settle();
  expect(ui.imports).toEqual([]);
  ui.panel.dispose();
});

test('a check answered after the zone changed enables nothing', async () => {
  const ui = await panelWithSlowCheck();
  await ui.check('org/first');
  const zone = ui.panel.node.querySelector('select') as HTMLSelectElement;
  zone.value = 'ch-gva-2';
  zone.dispatchEvent(new Event('change'));
  ui.release(answer(200, report('org/first', 'de-fra-1')));
  await settle();
  expect(ui.importButton.disabled).toBe(true);
  ui.panel.dispose();
});

test('an up-to-date check enables Import for that model and zone', async () => {
  const ui = await panelWithSlowCheck();
  await ui.check('org/first');
  ui.release(answer(200, report('org/first', 'de-fra-1')));
  await settle();
  expect(ui.importButton.disabled).toBe(false);
  ui.importButton.click();
  await settle();
  expect(ui.imports).toEqual([{ model: 'org/first', zone: 'de-fra-1' }]);
  ui.panel.dispose();
});

test('the automatic refresh keeps the keyboard focus on the same button', async () => {
  const fetch: Request = async path =>
    answer(200, path === 'zones' ? ZONES : { models: [CREATING], errors: {} });
  const panel = panelOf(fetch);
  await panel.model.start();
  const remove = panel.node.querySelector(
    'li[data-model="org/a"] .jp-ExoModels-delete'
  ) as HTMLButtonElement;
  remove.focus();
  await panel.model.refresh(); // what the timer does while an import runs
  const focused = document.activeElement as HTMLElement;
  expect(focused).not.toBe(remove); // a new row was drawn…
  expect(focused.getAttribute('aria-label')).toBe('Delete org/a'); // …and its button has the focus
  panel.dispose();
});

/** A panel that checked and imported `name`, which Exoscale never lists; `status` answers the model's route. */
async function importNeverListed(name: string, status: Response) {
  const asked: string[] = [];
  const fetch: Request = async path => {
    asked.push(path);
    if (path === 'zones') {
      return answer(200, ZONES);
    }
    if (path.startsWith('models?')) {
      return answer(200, { models: [], errors: {} });
    }
    if (path === 'preflight') {
      return answer(200, report(name, 'de-fra-1'));
    }
    if (path === 'imports') {
      return answer(201, {
        model: { ...CREATING, id: null, name },
        attached: false
      });
    }
    return status;
  };
  const panel = panelOf(fetch);
  await panel.model.start();
  panel.openForm();
  (panel.node.querySelector('#jp-ExoModels-model') as HTMLInputElement).value =
    name;
  panel.node
    .querySelector('form')!
    .dispatchEvent(new Event('submit', { cancelable: true }));
  await settle();
  Array.from(panel.node.querySelectorAll('button'))
    .find(b => b.textContent === 'Import')!
    .click();
  await settle();
  await settle();
  return { panel, asked };
}

test('an import refused before any model existed shows its diagnosis', async () => {
  const diagnosis = {
    cause: 'gated-access',
    message: 'terms not accepted',
    fix: 'accept them'
  };
  const refused = {
    ...CREATING,
    id: null,
    name: 'org/refused',
    state: 'error',
    diagnosis,
    watching: false
  };
  const { panel, asked } = await importNeverListed(
    'org/refused',
    answer(200, refused)
  );
  const message = panel.node.querySelector(
    '.jp-ExoModels-message'
  )!.textContent;
  expect(message).toContain('terms not accepted');
  expect(message).toContain('accept them');
  expect(asked).toContain(
    `models/de-fra-1/${encodeURIComponent('org/refused')}`
  );
  panel.dispose();
});

test('an import nobody knows of is not followed forever', async () => {
  const unknown = answer(404, {
    error: 'NotFoundError',
    message: 'No model named org/gone',
    fix: ''
  });
  const { panel, asked } = await importNeverListed('org/gone', unknown);
  await panel.model.refresh();
  expect(asked.filter(path => path.startsWith('models/')).length).toBe(1);
  panel.dispose();
});

test('deleting asks first: cancel sends nothing, accept sends DELETE', async () => {
  const calls: string[] = [];
  const fetch: Request = async (path, init) => {
    calls.push(`${init.method} ${path}`);
    if (path === 'zones') {
      return answer(200, ZONES);
    }
    if (path.startsWith('models?')) {
      return answer(200, { models: [CREATING], errors: {} });
    }
    return answer(200, { operation: { state: 'success' } });
  };
  const panel = panelOf(fetch);
  await panel.model.start();
  const remove = () =>
    (
      panel.node.querySelector(
        'li[data-model="org/a"] .jp-ExoModels-delete'
      ) as HTMLButtonElement
    ).click();
  const deletes = () => calls.filter(call => call.startsWith('DELETE'));
  asked.length = 0;
  answers.push(false);
  remove();
  await settle();
  expect(asked).toEqual([expect.objectContaining({ title: 'Delete model' })]);
  expect(String(asked[0].body)).toContain('org/a (id id-1)');
  expect(deletes()).toEqual([]);
  answers.push(true);
  remove();
  await settle();
  await settle();
  expect(deletes()).toEqual(['DELETE models/de-fra-1/id-1']);
  expect(asked.length).toBe(2); // no failure dialog after it
  panel.dispose();
});

test('without a Hugging Face token, the notice names the server’s login command', async () => {
  const noToken = {
    ...ZONES,
    credentials: { ...ZONES.credentials, hf: { found: false, source: null } },
    hf_login_command: 'huggingface-cli login'
  };
  const fetch: Request = async path =>
    answer(200, path === 'zones' ? noToken : { models: [], errors: {} });
  const panel = panelOf(fetch);
  await panel.model.start();
  const text = panel.node.querySelector('.jp-ExoModels-notice')!.textContent;
  expect(text).toContain('No Hugging Face token');
  expect(text).toContain('`huggingface-cli login`');
  expect(text).not.toContain('hf auth login');
  panel.dispose();
});

test('the Refresh button of the toolbar reads the zones and lists again', async () => {
  const asked: string[] = [];
  const fetch: Request = async path => {
    asked.push(path);
    return answer(200, path === 'zones' ? ZONES : { models: [], errors: {} });
  };
  const panel = panelOf(fetch);
  await panel.model.start();
  asked.length = 0;
  (
    panel.toolbar.node.querySelector('[aria-label="Refresh"]') as HTMLElement
  ).click();
  await settle();
  await settle();
  expect(asked).toEqual(['zones', 'models?zone=de-fra-1']);
  panel.dispose();
});
