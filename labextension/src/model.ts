// The sidebar's state (zones, the models of one zone, the import started here, the last failure) and its
// refresh schedule; panel.ts draws it and listens to `changed`. No DOM here.
import { TranslationBundle } from '@jupyterlab/translation';
import type { IDisposable } from '@lumino/disposable';
import { IPoll, Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { ApiError, ExoModelsApi, IZones } from './api';
import { IModel, IReport } from './format';
import {
  afterRefresh,
  IListState,
  INotice,
  initialZone,
  nextRefreshMs,
  noticeOf,
  REFRESH_FIRST_MS
} from './view';

export class ExoModelsModel implements IDisposable {
  constructor(
    private readonly api: ExoModelsApi,
    private readonly trans: TranslationBundle
  ) {
    // The poll ticks on its interval; it asks the server only while imports are being followed and
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
    this._changed.emit();
    await this.refresh();
  }

  async refresh(): Promise<void> {
    const zone = this.zone;
    let outcome: { models: IModel[] } | { error: unknown };
    try {
      outcome = { models: (await this.api.models(zone)).models };
    } catch (error) {
      outcome = { error };
    }
    if (zone !== this.zone || this.isDisposed) {
      return; // the zone changed meanwhile: its own refresh draws it
    }
    this.state = afterRefresh(this.state, outcome);
    await this.followStarted(zone);
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
    return nextRefreshMs(
      [...this.state.models, ...pending],
      now - (this.busySince ?? now),
      this.state.failures,
      this.firstMs
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
  private busySince: number | null = null; // when the imports on screen started being followed
  private firstMs = REFRESH_FIRST_MS;
  private defaultZone = '';
  private zoneChosen = false; // once a zone is shown, a refresh of the zones keeps it
}
