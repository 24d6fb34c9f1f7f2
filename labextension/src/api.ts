// Client of the server extension's REST API. The transport is injected, so jest can test it.
import { TranslationBundle } from '@jupyterlab/translation';

import { IModel, IReport } from './format';

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
