// JupyterLab's UI components (React-rendered there), as plain DOM: a SidePanel's header, toolbar and
// content, toolbar buttons clicked as buttons, icons as empty spans.
import { Panel, Widget } from '@lumino/widgets';

export class LabIcon {
  constructor(readonly options: { name: string; svgstr: string }) {}
  element(props: { tag?: string; className?: string } = {}): HTMLElement {
    const node = document.createElement(props.tag ?? 'div');
    node.className = props.className ?? '';
    node.dataset.icon = this.options.name;
    return node;
  }
}

export const refreshIcon = new LabIcon({ name: 'refresh', svgstr: '' });
export const deleteIcon = new LabIcon({ name: 'delete', svgstr: '' });

export class ToolbarButton extends Widget {
  constructor(props: {
    tooltip?: string;
    label?: string;
    onClick?: () => void;
  }) {
    super({ node: document.createElement('button') });
    this.node.setAttribute('aria-label', props.label || props.tooltip || '');
    this.node.title = props.tooltip || '';
    this.node.addEventListener('click', () => props.onClick?.());
  }
}

export class Toolbar extends Widget {
  addItem(name: string, widget: Widget): boolean {
    this.node.append(widget.node);
    return true;
  }
}

export class SidePanel extends Widget {
  readonly header = new Panel();
  readonly toolbar = new Toolbar();
  readonly content: Panel;
  constructor(options: { content?: Panel } = {}) {
    super();
    this.content = options.content ?? new Panel();
    this.node.append(this.header.node, this.toolbar.node, this.content.node);
  }
  addWidget(widget: Widget): void {
    this.content.addWidget(widget);
  }
}
