// The sidebar's state (zones, the models and deployments of one zone, the import and deployments started
// here, the last failure) and its refresh schedule; panel.ts draws it and listens to `changed`. No DOM here.
import { TranslationBundle } from '@jupyterlab/translation';
import type { IDisposable } from '@lumino/disposable';
import { IPoll, Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { ApiError, ExoModelsApi, IDeployRequest, IZones } from './api';
import {
  IChatReply,
  IDeployment,
  IDeploymentReport,
  IModel,
  IReport
} from './format';
import {
  afterRefresh,
  IListState,
  INotice,
  initialZone,
  nextRefreshMs,
  noticeOf,
  REFRESH_FIRST_MS,
  sortDeployments
} from './view';

export class ExoModelsModel implements IDisposable {
  constructor(
    private readonly api: ExoModelsApi,
    private readonly trans: TranslationBundle
  ) {
    // The poll ticks on its interval; it asks the server only while imports or deployments are followed and
    // someone can see the sidebar (standby otherwise, also while the browser tab is hidden).
    this.poll = new Poll({
      factory: () => this.refresh(),
      frequency: this.frequencyOf(this.firstMs),
      standby: () => (this.following && this.isShown() ? 'when-hidden' : true),
      name: 'jupyter-exo-models:refresh'
    });
  }

  /** Emitted whenever what the list or the notice shows changed. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** News about an import started here that the list cannot show (Exoscale refused it before listing it). */
  get messaged(): ISignal<this, string> {
    return this._messaged;
  }

  zones: IZones | null = null;
  zone = 'de-fra-1';
  state: IListState = { models: [], error: null, listed: false, failures: 0 };
  /** The zone's deployments, and why they could not be listed (null after a success). */
  deployments: { items: IDeployment[]; error: unknown } = {
    items: [],
    error: null
  };
  /** Whether the sidebar is shown (the panel tells): hidden, nothing is refreshed automatically. */
  isShown: () => boolean = () => true;

  get notice(): INotice | null {
    return noticeOf(
      this.trans,
      this.zones,
      this.state.error,
      this.state.listed
    );
  }

  get isDisposed(): boolean {
    return this.poll.isDisposed;
  }

  /** The first automatic refresh interval, in seconds (the `refreshInterval` setting). */
  setRefreshInterval(seconds: number): void {
    this.firstMs = Math.max(1, seconds) * 1000;
    this.reschedule();
  }

  /** The zone to show first (the `defaultZone` setting, "" for the server's); a change switches to it. */
  setDefaultZone(zone: string): void {
    const changed = zone !== this.defaultZone;
    this.defaultZone = zone;
    if (changed && this.zones) {
      void this.setZone(initialZone(this.zones, zone));
    }
  }

  /** Read the zones and credentials, then list the models (also the Refresh and Retry buttons). */
  async start(): Promise<void> {
    try {
      this.zones = await this.api.zones();
    } catch (error) {
      this.state = { ...this.state, error };
      this._changed.emit();
      return;
    }
    if (!this.zoneChosen) {
      this.zone = initialZone(this.zones, this.defaultZone);
      this.zoneChosen = true;
    }
    this.state = { ...this.state, listed: false };
    this.busySince = null; // someone is looking: follow imports quickly again
    await this.refresh();
  }

  async setZone(zone: string): Promise<void> {
    if (zone === this.zone) {
      return;
    }
    this.zone = zone;
    this.zoneChosen = true;
    // another zone's list
    this.state = {
      models: [],
      error: null,
      listed: this.state.listed,
      failures: 0
    };
    this.deployments = { items: [], error: null };
    this._changed.emit();
    await this.refresh();
  }

  async refresh(): Promise<void> {
    const zone = this.zone;
    let outcome: { models: IModel[] } | { error: unknown };
    const listing = this.api.deployments(zone).then(
      answer => ({ items: sortDeployments(answer.deployments), error: null }),
      error => ({ items: this.deployments.items, error }) // a blip keeps the rows shown
    );
    try {
      outcome = { models: (await this.api.models(zone)).models };
    } catch (error) {
      outcome = { error };
    }
    const deployments = await listing;
    if (zone !== this.zone || this.isDisposed) {
      return; // the zone changed meanwhile: its own refresh draws it
    }
    this.state = afterRefresh(this.state, outcome);
    this.deployments = deployments;
    await Promise.all([this.followStarted(zone), this.followDeployments()]);
    this._changed.emit();
    this.reschedule();
  }

  preflight(model: string, zone: string): Promise<IReport> {
    return this.api.preflight(model, zone);
  }

  /** Start importing a checked model, followed from the next refresh; an ApiError says why it did not start. */
  async startImport(
    model: string,
    zone: string
  ): Promise<{ attached: boolean }> {
    this.busySince = null; // follow it quickly
    const result = await this.api.startImport(model, zone);
    this.started = { name: model, zone };
    return result;
  }

  deployPreflight(request: IDeployRequest): Promise<IDeploymentReport> {
    return this.api.deployPreflight(request);
  }

  /** Start a checked deployment, followed (`followed()`) until ready or failed; an ApiError says why not. */
  async deploy(request: IDeployRequest): Promise<IDeployment> {
    this.busySince = null; // follow it quickly
    const { deployment } = await this.api.deploy(request);
    this.followedDeployments.set(
      keyOf(request.zone, deployment.name),
      deployment
    );
    this._changed.emit();
    this.reschedule();
    return deployment;
  }

  /** What is known of a deployment started here (null when none of that name was). */
  followed(zone: string, name: string): IDeployment | null {
    return this.followedDeployments.get(keyOf(zone, name)) ?? null;
  }

  async scale(zone: string, name: string, replicas: number): Promise<void> {
    this.busySince = null;
    try {
      await this.api.scale(zone, name, replicas);
    } finally {
      await this.refresh();
    }
  }

  async deleteDeployment(zone: string, name: string): Promise<void> {
    this.followedDeployments.delete(keyOf(zone, name));
    try {
      await this.api.deleteDeployment(zone, name);
    } finally {
      await this.refresh();
    }
  }

  logs(zone: string, name: string): Promise<{ lines: string[] }> {
    return this.api.logs(zone, name);
  }

  chat(zone: string, name: string, prompt: string): Promise<IChatReply> {
    return this.api.chat(zone, name, prompt);
  }

  /** Delete a model of the zone shown (by id, else name); an ApiError says why not. */
  async deleteModel(zone: string, target: string): Promise<void> {
    try {
      await this.api.deleteModel(zone, target);
    } finally {
      await this.refresh();
    }
  }

  /** The sidebar was shown again: catch up at once on imports being followed. */
  shown(): void {
    if (this.following) {
      void this.poll.refresh();
    }
  }

  dispose(): void {
    this.poll.dispose();
    Signal.clearData(this);
  }

  /** Ask the server about each deployment started here until it is ready or failed (its diagnosis). */
  private async followDeployments(): Promise<void> {
    const pending = [...this.followedDeployments.entries()].filter(
      ([, d]) => !isDone(d)
    );
    await Promise.all(
      pending.map(async ([key, d]) => {
        try {
          this.followedDeployments.set(
            key,
            await this.api.deployment(d.zone, d.name)
          );
        } catch (error) {
          if (error instanceof ApiError && error.status === 404) {
            this.followedDeployments.delete(key); // deleted meanwhile, and unknown to this server
          } // otherwise a blip: ask again at the next refresh
        }
      })
    );
  }

  /** Whether imports are being followed (what the automatic refresh is for). */
  private get following(): boolean {
    return this.delay() !== null;
  }

  /** An import Exoscale refuses before any model exists is never listed: ask the server for its diagnosis. */
  private async followStarted(zone: string): Promise<void> {
    const started = this.started;
    if (!started || started.zone !== zone || !this.state.listed) {
      return;
    }
    if (this.state.models.some(model => model.name === started.name)) {
      this.started = null; // the list follows it now
      return;
    }
    try {
      const status = await this.api.model(zone, started.name);
      if (status.diagnosis) {
        this._messaged.emit(
          this.trans.__(
            'Import of %1 failed: %2 — fix: %3',
            started.name,
            status.diagnosis.message,
            status.diagnosis.fix
          )
        );
      }
      if (status.diagnosis || status.watching === false) {
        this.started = null;
      }
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        this.started = null; // neither Exoscale nor this server knows of it: nothing to follow
      } // otherwise a blip: ask again at the next refresh
    }
  }

  /** Milliseconds to the next refresh, or null when nothing is being followed. */
  private delay(): number | null {
    const now = Date.now();
    const pending = this.started
      ? [{ name: this.started.name, state: 'creating' } as IModel]
      : [];
    const followed = [...this.followedDeployments.values()].filter(
      d => !isDone(d)
    );
    return nextRefreshMs(
      [...this.state.models, ...pending],
      now - (this.busySince ?? now),
      this.state.failures,
      this.firstMs,
      [...this.deployments.items, ...followed]
    );
  }

  // The poll schedules its next tick from its frequency when a tick ends: keep it on the CLI's schedule.
  private reschedule(): void {
    if (this.isDisposed) {
      return;
    }
    const delay = this.delay();
    const now = Date.now();
    this.busySince = delay === null ? null : (this.busySince ?? now);
    this.poll.frequency = this.frequencyOf(delay ?? this.firstMs);
  }

  private frequencyOf(interval: number): IPoll.Frequency {
    return { interval, backoff: false, max: Poll.MAX_INTERVAL };
  }

  private readonly poll: Poll;
  private readonly _changed = new Signal<this, void>(this);
  private readonly _messaged = new Signal<this, string>(this);
  private started: { name: string; zone: string } | null = null; // an import started here, until listed
  private readonly followedDeployments = new Map<string, IDeployment>(); // started here, by zone and name
  private busySince: number | null = null; // when the imports on screen started being followed
  private firstMs = REFRESH_FIRST_MS;
  private defaultZone = '';
  private zoneChosen = false; // once a zone is shown, a refresh of the zones keeps it
}

function keyOf(zone: string, name: string): string {
  return `${zone}\u0000${name}`;
}

/** A deployment this server no longer watches, ready or failed: nothing more will change by itself. */
function isDone(deployment: IDeployment): boolean {
  return (
    !deployment.watching &&
    (['ready', 'error'].includes(deployment.state) || !!deployment.diagnosis)
  );
}
