// The Deployments section and the Deploy dialog: their pure logic, the model's following, and the DOM driven
// as a user would, over a fake server.
import { nullTranslator } from '@jupyterlab/translation';

import { ExoModelsApi, Request } from '../src/api';
import { DeployForm } from '../src/deploy';
import {
  badgeClass,
  deploymentsNeedRefresh,
  formatGpus,
  gpuLabel,
  IDeployment
} from '../src/format';
import { ExoModelsModel } from '../src/model';
import { ExoModelsPanel } from '../src/panel';
import {
  deploymentProgress,
  deploymentRowOf,
  gpuChoices,
  nextRefreshMs
} from '../src/view';
import { answers, asked } from './stubs/apputils';

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
const MODEL = {
  id: 'm-1',
  name: 'org/a',
  zone: 'de-fra-1',
  state: 'created',
  model_size: 1,
  created_at: null,
  updated_at: null
};

function deployment(
  state: string,
  extra: Partial<IDeployment> = {}
): IDeployment {
  return {
    id: 'd-1',
    name: 'a',
    zone: 'de-fra-1',
    state,
    'gpu-type': 'gpu3',
    'gpu-count': 1,
    replicas: 1,
    url: state === 'ready' ? 'https://a.example/v1' : null,
    model: { id: 'm-1', name: 'org/a' },
    'created-at': new Date().toISOString(),
    ...extra
  };
}

const OPTIONS = [
  {
    family: 'gpu3',
    authorized: true,
    memory_gib: 48,
    gpu_count: 1,
    verdict: 'fits'
  },
  {
    family: 'gpurtx6000pro',
    authorized: true,
    memory_gib: 96,
    gpu_count: 2,
    verdict: 'tight'
  },
  {
    family: 'gpua5000',
    authorized: false,
    memory_gib: 24,
    gpu_count: null,
    verdict: 'too small'
  }
];

function report(ok: boolean, gpu = 'gpu3') {
  return {
    model: 'org/a',
    zone: 'de-fra-1',
    ok,
    sandbox: true,
    name: 'a',
    plan: { 'gpu-type': gpu, 'gpu-count': 1, replicas: 1 },
    gpu_options: OPTIONS,
    checks: [
      {
        id: 'gpu-fit',
        status: ok ? 'pass' : 'fail',
        message: ok ? 'fits' : 'does not fit',
        fix: ok ? '' : 'more GPUs',
        data: {}
      }
    ]
  };
}

function answer(status: number, body: unknown): Response {
  return {
    ok: status < 400,
    status,
    text: async () => JSON.stringify(body)
  } as unknown as Response;
}

const settle = async () => {
  for (let i = 0; i < 5; i++) {
    await new Promise(resolve => setTimeout(resolve, 0));
  }
};

/** A fake server with one created model; `deployments` is what the zone lists, `routes` answer the rest. */
function server(
  deployments: IDeployment[],
  routes: { [key: string]: (body: any) => [number, unknown] } = {}
) {
  const calls: { method: string; path: string; body: any }[] = [];
  const fetch: Request = async (path, init) => {
    const method = init.method || 'GET';
    const body = init.body ? JSON.parse(init.body) : null;
    calls.push({ method, path, body });
    const route = routes[`${method} ${path}`];
    if (route) {
      return answer(...route(body));
    }
    if (path === 'zones') {
      return answer(200, ZONES);
    }
    if (path.startsWith('models?')) {
      return answer(200, { models: [MODEL], errors: {} });
    }
    if (path.startsWith('deployments?')) {
      return answer(200, { deployments, errors: {} });
    }
    return answer(404, { code: 'not-found', message: `no ${path}`, fix: '' });
  };
  return { fetch, calls };
}

function setup(fetch: Request) {
  const model = new ExoModelsModel(new ExoModelsApi(fetch, trans), trans);
  const panel = new ExoModelsPanel(model, nullTranslator);
  document.body.appendChild(panel.node);
  return { model, panel };
}

const button = (root: HTMLElement, text: string) =>
  Array.from(root.querySelectorAll('button')).find(
    b => b.textContent === text || b.getAttribute('aria-label') === text
  ) as HTMLButtonElement;

afterEach(() => {
  document.body.replaceChildren();
  asked.length = 0;
  answers.length = 0;
});

describe('format and view', () => {
  it('labels GPU choices with memory and fit, translated', () => {
    expect(gpuLabel(trans, OPTIONS[0])).toBe('gpu3 · 48 GB · fits');
    expect(gpuLabel(trans, OPTIONS[1])).toBe(
      'gpurtx6000pro × 2 · 96 GB · tight'
    );
    expect(
      gpuLabel(trans, { ...OPTIONS[0], memory_gib: null, verdict: 'unknown' })
    ).toBe('gpu3 · memory unknown · fit unknown');
    expect(formatGpus('gpu3', 2)).toBe('gpu3 × 2');
    expect(formatGpus(null, null)).toBe('–');
  });

  it('offers only the authorized families', () => {
    const choices = gpuChoices(trans, report(true) as any);
    expect(choices.map(c => c.value)).toEqual(['gpu3', 'gpurtx6000pro']);
    expect(choices[1].count).toBe(2);
    expect(gpuChoices(trans, null)).toEqual([]);
  });

  it('draws a row: scaled to zero cannot be tried and scales back to 1', () => {
    const ready = deploymentRowOf(trans, deployment('ready'));
    expect(ready).toMatchObject({
      gpus: 'gpu3 × 1',
      replicas: '1 replica',
      canTry: true,
      scaleTo: 0,
      url: 'https://a.example/v1'
    });
    const zero = deploymentRowOf(trans, deployment('ready', { replicas: 0 }));
    expect(zero).toMatchObject({
      state: 'scaled to zero',
      canTry: false,
      scaleTo: 1
    });
    expect(zero.replicas).toBe('0 replicas');
    expect(badgeClass('deploying')).toBe('jp-ExoModels-badge-progress');
  });

  it('follows deployments that change, or that the server still watches', () => {
    expect(deploymentsNeedRefresh([deployment('ready')])).toBe(false);
    expect(deploymentsNeedRefresh([deployment('deploying')])).toBe(true);
    expect(
      deploymentsNeedRefresh([deployment('ready', { watching: true })])
    ).toBe(true);
    expect(nextRefreshMs([], 0, 0, 3000, [deployment('scaling')])).toBe(3000);
    expect(nextRefreshMs([], 0, 0, 3000, [deployment('error')])).toBeNull();
  });

  it('says where a followed deployment stands', () => {
    expect(
      deploymentProgress(trans, deployment('deploying', { watching: true }))
    ).toEqual({
      text: 'a: deploying…',
      done: false,
      failed: false
    });
    const ready = deployment('ready', {
      watching: false,
      smoke_test: { ok: true, latency_ms: 12.4, reply: '[SANDBOX] hi' }
    });
    expect(deploymentProgress(trans, ready).text).toBe(
      'Ready at https://a.example/v1; the smoke test answered in 12 ms.'
    );
    const failed = deployment('error', {
      watching: false,
      diagnosis: {
        cause: 'gpu-fit',
        message: 'CUDA out of memory',
        fix: 'more GPUs'
      }
    });
    expect(deploymentProgress(trans, failed)).toEqual({
      text: 'Failed (gpu-fit): CUDA out of memory — fix: more GPUs',
      done: true,
      failed: true
    });
  });
});

describe('the Deployments section', () => {
  it('lists each deployment with state, GPUs, replicas, age and URL', async () => {
    const { fetch } = server([
      deployment('ready'),
      deployment('error', {
        name: 'b',
        diagnosis: { cause: 'gpu-fit', message: 'OOM', fix: 'more' }
      })
    ]);
    const { panel } = setup(fetch);
    await panel.model.start();
    const row = panel.node.querySelector(
      'li[data-deployment="a"]'
    ) as HTMLElement;
    expect(row.textContent).toContain('gpu3 × 1');
    expect(row.textContent).toContain('1 replica');
    expect(row.textContent).toContain('s ago');
    expect(row.querySelector('.jp-ExoModels-url')!.textContent).toBe(
      'https://a.example/v1'
    );
    expect((row.querySelector('.jp-ExoModels-try') as HTMLElement).hidden).toBe(
      false
    );
    const failed = panel.node.querySelector(
      'li[data-deployment="b"]'
    ) as HTMLElement;
    expect(
      failed.querySelector('[data-cause="gpu-fit"]')!.textContent
    ).toContain('OOM');
    expect(
      (failed.querySelector('.jp-ExoModels-try') as HTMLElement).hidden
    ).toBe(true);
    panel.dispose();
  });

  it('scales to zero, and deletes only once confirmed', async () => {
    const { fetch, calls } = server([deployment('ready')], {
      'POST deployments/de-fra-1/a/scale': () => [
        200,
        { deployment: deployment('scaling') }
      ],
      'DELETE deployments/de-fra-1/a': () => [
        200,
        { operation: { state: 'success' } }
      ]
    });
    const { panel } = setup(fetch);
    await panel.model.start();
    const row = () =>
      panel.node.querySelector('li[data-deployment="a"]') as HTMLElement;
    button(row(), 'Scale to zero').click();
    await settle();
    expect(calls.find(c => c.path.endsWith('/scale'))!.body).toEqual({
      replicas: 0
    });
    answers.push(false);
    button(row(), 'Delete deployment a').click();
    await settle();
    expect(calls.filter(c => c.method === 'DELETE')).toEqual([]);
    button(row(), 'Delete deployment a').click();
    await settle();
    expect(asked.map(a => a.title)).toEqual([
      'Delete deployment',
      'Delete deployment'
    ]);
    expect(calls.filter(c => c.method === 'DELETE').map(c => c.path)).toEqual([
      'deployments/de-fra-1/a'
    ]);
    panel.dispose();
  });

  it('sends a prompt through the server and shows the reply and latency; logs open and refresh', async () => {
    const { fetch, calls } = server([deployment('ready')], {
      'POST deployments/de-fra-1/a/chat': body => [
        200,
        { reply: `[SANDBOX] ${body.prompt}`, latency_ms: 41.6, model: 'org/a' }
      ],
      'GET deployments/de-fra-1/a/logs?tail=50': () => [
        200,
        { lines: ['INFO started', 'INFO ready'] }
      ]
    });
    const { panel } = setup(fetch);
    await panel.model.start();
    const row = panel.node.querySelector(
      'li[data-deployment="a"]'
    ) as HTMLElement;
    const prompt = row.querySelector(
      'input[aria-label="Prompt for a"]'
    ) as HTMLInputElement;
    prompt.value = 'Hello';
    prompt.focus();
    await panel.model.refresh(); // a refresh meanwhile keeps what was typed, and the focus
    expect(document.activeElement).toBe(prompt);
    prompt.form!.dispatchEvent(new Event('submit', { cancelable: true }));
    await settle();
    expect(calls.find(c => c.path.endsWith('/chat'))!.body).toEqual({
      prompt: 'Hello',
      max_tokens: 64
    });
    const reply = panel.node.querySelector(
      'li[data-deployment="a"] .jp-ExoModels-reply'
    )!;
    expect(reply.textContent).toBe('[SANDBOX] Hello (42 ms)');
    button(
      panel.node.querySelector('li[data-deployment="a"]')!,
      'Logs'
    ).click();
    await settle();
    const lines = panel.node.querySelector(
      'li[data-deployment="a"] .jp-ExoModels-logLines'
    )!;
    expect(lines.textContent).toBe('INFO started\nINFO ready');
    panel.dispose();
  });

  it('a scaled-to-zero endpoint is explained by its cause, not its text', async () => {
    const { fetch } = server([deployment('ready')], {
      'POST deployments/de-fra-1/a/chat': () => [
        502,
        {
          code: 'endpoint',
          cause: 'endpoint-unavailable',
          message: '503',
          fix: 'scale'
        }
      ]
    });
    const { panel } = setup(fetch);
    await panel.model.start();
    const prompt = panel.node.querySelector(
      'input[aria-label="Prompt for a"]'
    ) as HTMLInputElement;
    prompt.value = 'Hello';
    prompt.form!.dispatchEvent(new Event('submit', { cancelable: true }));
    await settle();
    expect(
      panel.node.querySelector('.jp-ExoModels-reply')!.textContent
    ).toContain('scale it to 1');
    panel.dispose();
  });
});

describe('the Deploy dialog', () => {
  function deployServer(checkOk: (body: any) => boolean) {
    let status = deployment('deploying', { watching: true });
    const srv = server([], {
      'POST deployments/preflight': body => [
        200,
        report(checkOk(body), body.gpu_type || 'gpu3')
      ],
      'POST deployments': () => [
        201,
        {
          deployment: deployment('creating', { watching: true }),
          attached: false
        }
      ],
      'GET deployments/de-fra-1/a': () => [200, status]
    });
    return { ...srv, finish: (d: IDeployment) => (status = d) };
  }

  it('opens from a created model, with the authorized GPU choices', async () => {
    const { fetch } = deployServer(() => true);
    const { panel } = setup(fetch);
    await panel.model.start();
    button(panel.node, 'Deploy org/a').click();
    await settle();
    expect(asked[0].title).toBe('Deploy org/a');
    const form = asked[0].body as DeployForm;
    expect(form).toBeInstanceOf(DeployForm);
    panel.dispose();
  });

  it('checks, deploys, follows to ready; a failing check disables Deploy', async () => {
    const srv = deployServer(body => body.gpu_type !== 'gpurtx6000pro');
    const { model, panel } = setup(srv.fetch);
    await model.start();
    const form = new DeployForm(model, trans, 'org/a', 'de-fra-1');
    document.body.appendChild(form.node);
    await settle();
    const select = form.node.querySelector('select') as HTMLSelectElement;
    expect(Array.from(select.options).map(o => o.textContent)).toEqual([
      'gpu3 · 48 GB · fits',
      'gpurtx6000pro × 2 · 96 GB · tight'
    ]);
    const deploy = button(form.node, 'Deploy');
    expect(deploy.disabled).toBe(false);
    select.value = 'gpurtx6000pro';
    select.dispatchEvent(new Event('change'));
    await settle();
    expect(
      (form.node.querySelector('input[type="number"]') as HTMLInputElement)
        .value
    ).toBe('2');
    expect(
      form.node.querySelector('[data-check="gpu-fit"]')!.textContent
    ).toContain('more GPUs');
    expect(deploy.disabled).toBe(true);
    select.value = 'gpu3';
    select.dispatchEvent(new Event('change'));
    await settle();
    expect(deploy.disabled).toBe(false);
    deploy.click();
    await settle();
    const posted = srv.calls.find(
      c => c.method === 'POST' && c.path === 'deployments'
    )!;
    expect(posted.body).toEqual({
      model: 'org/a',
      zone: 'de-fra-1',
      gpu_type: 'gpu3',
      gpu_count: 1,
      replicas: 1,
      name: 'a'
    });
    await model.refresh();
    const status = form.node.querySelector(
      '.jp-ExoModels-deployStatus'
    ) as HTMLElement;
    expect(status.textContent).toBe('a: deploying…');
    srv.finish(
      deployment('error', {
        watching: false,
        diagnosis: {
          cause: 'gpu-fit',
          message: 'CUDA out of memory',
          fix: 'more GPUs'
        }
      })
    );
    await model.refresh();
    expect(status.dataset.cause).toBe('gpu-fit');
    expect(status.textContent).toContain('CUDA out of memory');
    form.dispose();
    panel.dispose();
  });
});
