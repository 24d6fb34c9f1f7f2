// Client of the server extension's REST API. The transport is injected, so jest can test it.
import { TranslationBundle } from '@jupyterlab/translation';

import {
  IChatReply,
  IDeployment,
  IDeploymentReport,
  IModel,
  IReport
} from './format';

export type Request = (
  path: string,
  init: { method?: string; body?: string }
) => Promise<Response>;

export interface ICredentials {
  exoscale: {
    found: boolean;
    source: string | null;
    key: string | null;
    error: { message: string; fix: string } | null;
  };
  hf: { found: boolean; source: string | null };
}

export interface IZones {
  zones: string[];
  default_zone: string;
  sandbox: boolean;
  credentials: ICredentials;
  /** How to save a Hugging Face token with the server's huggingface_hub (`hf auth login`, or older). */
  hf_login_command?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: { [key: string]: any }
  ) {
    super(body['message'] || `HTTP ${status}`);
  }

  /** The server's stable error code (core/errors.py), e.g. `credentials-rejected`; compare this. */
  get code(): string {
    return this.body['code'] || '';
  }

  get fix(): string {
    return this.body['fix'] || '';
  }

  get deployments(): string[] {
    return this.body['deployments'] || [];
  }

  get report(): IReport | null {
    return this.body['report'] || null;
  }

  /** An endpoint's refusal: `endpoint-unavailable` (scaled to zero or loading), `endpoint-key`, ... */
  get cause(): string {
    return this.body['cause'] || '';
  }
}

/** What to deploy: the model, and the GPU choice (the server's default when left out). */
export interface IDeployRequest {
  model: string;
  zone: string;
  name?: string;
  gpu_type?: string;
  gpu_count?: number;
  replicas?: number;
}

export class ExoModelsApi {
  constructor(
    private readonly request: Request,
    private readonly trans: TranslationBundle
  ) {}

  zones(): Promise<IZones> {
    return this.call('zones');
  }

  async models(zone: string): Promise<{
    models: IModel[];
    errors: { [zone: string]: { message: string } };
  }> {
    return this.call(`models?zone=${encodeURIComponent(zone)}`);
  }

  preflight(model: string, zone: string): Promise<IReport> {
    return this.call('preflight', 'POST', { model, zone });
  }

  // Never forced: the sidebar imports only what passed its checks (the server's "force" is for scripts).
  startImport(
    model: string,
    zone: string
  ): Promise<{ model: IModel; attached: boolean }> {
    return this.call('imports', 'POST', { model, zone });
  }

  model(zone: string, id: string): Promise<IModel> {
    return this.call(
      `models/${encodeURIComponent(zone)}/${encodeURIComponent(id)}`
    );
  }

  deleteModel(
    zone: string,
    id: string
  ): Promise<{ operation: { state: string } }> {
    return this.call(
      `models/${encodeURIComponent(zone)}/${encodeURIComponent(id)}`,
      'DELETE'
    );
  }

  deployments(zone: string): Promise<{
    deployments: IDeployment[];
    errors: { [zone: string]: { message: string } };
  }> {
    return this.call(`deployments?zone=${encodeURIComponent(zone)}`);
  }

  deployPreflight(request: IDeployRequest): Promise<IDeploymentReport> {
    return this.call('deployments/preflight', 'POST', request);
  }

  // Never forced, as imports: the sidebar deploys only what passed its checks.
  deploy(request: IDeployRequest): Promise<{
    deployment: IDeployment;
    attached: boolean;
  }> {
    return this.call('deployments', 'POST', request);
  }

  deployment(zone: string, name: string): Promise<IDeployment> {
    return this.call(this.deploymentPath(zone, name));
  }

  scale(
    zone: string,
    name: string,
    replicas: number
  ): Promise<{ deployment: IDeployment }> {
    return this.call(`${this.deploymentPath(zone, name)}/scale`, 'POST', {
      replicas
    });
  }

  logs(zone: string, name: string, tail = 50): Promise<{ lines: string[] }> {
    return this.call(`${this.deploymentPath(zone, name)}/logs?tail=${tail}`);
  }

  /** A prompt sent through the server (the endpoint's key never reaches the browser). */
  chat(
    zone: string,
    name: string,
    prompt: string,
    maxTokens = 64
  ): Promise<IChatReply> {
    return this.call(`${this.deploymentPath(zone, name)}/chat`, 'POST', {
      prompt,
      max_tokens: maxTokens
    });
  }

  deleteDeployment(
    zone: string,
    name: string
  ): Promise<{ operation: { state: string } }> {
    return this.call(this.deploymentPath(zone, name), 'DELETE');
  }

  private deploymentPath(zone: string, name: string): string {
    return `deployments/${encodeURIComponent(zone)}/${encodeURIComponent(name)}`;
  }

  private async call<T>(
    path: string,
    method = 'GET',
    body?: object
  ): Promise<T> {
    const response = await this.request(path, {
      method,
      body: body ? JSON.stringify(body) : undefined
    });
    const text = await response.text();
    let data: any = {};
    try {
      data = text ? JSON.parse(text) : {};
    } catch {
      data = {
        message: this.trans.__(
          'Unexpected answer from the server (HTTP %1)',
          response.status
        )
      };
    }
    if (!response.ok) {
      throw new ApiError(response.status, data);
    }
    return data as T;
  }
}
