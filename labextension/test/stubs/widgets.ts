// Lumino's Widget, reduced to what the panel uses: jest drives the panel's DOM without a JupyterLab.
export class Widget {
  readonly node: HTMLElement = document.createElement('div');
  id = '';
  isDisposed = false;
  title: { caption?: string } = {};
  addClass(name: string): void {
    this.node.classList.add(name);
  }
  dispose(): void {
    this.isDisposed = true;
  }
}
