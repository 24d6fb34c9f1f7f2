// Lumino's widgets, reduced to what the panel uses: jest drives the panel's DOM without a JupyterLab.
export class Widget {
  readonly node: HTMLElement;
  id = '';
  isDisposed = false;
  readonly isVisible = true;
  title: { caption?: string; icon?: unknown } = {};
  constructor(options: { node?: HTMLElement } = {}) {
    this.node = options.node ?? document.createElement('div');
  }
  addClass(name: string): void {
    this.node.classList.add(name);
  }
  dispose(): void {
    this.isDisposed = true;
  }
  protected onAfterShow(msg: unknown): void {
    // nothing: jest never hides the panel
  }
}

export class Panel extends Widget {
  addWidget(widget: Widget): void {
    this.node.append(widget.node);
  }
}
