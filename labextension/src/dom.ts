// Plain DOM helpers of the sidebar and its Deploy dialog.
import { TranslationBundle } from '@jupyterlab/translation';

import { CHECK_ICONS, ICheck } from './format';

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: { [key: string]: any } = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'className') {
      node.className = value;
    } else if (key.startsWith('on')) {
      node.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (value !== undefined && value !== null && value !== false) {
      node.setAttribute(key, value === true ? '' : String(value));
    }
  }
  node.append(...children);
  return node;
}

/** One check: its status icon, id and message, and its fix when it failed or warned. */
export function checkItem(
  trans: TranslationBundle,
  check: ICheck
): HTMLLIElement {
  return el(
    'li',
    {
      className: `jp-ExoModels-check jp-ExoModels-check-${check.status}`,
      'data-check': check.id
    },
    el(
      'span',
      { className: 'jp-ExoModels-icon', 'aria-label': check.status },
      CHECK_ICONS[check.status]
    ),
    el('code', {}, check.id),
    ' ',
    check.message,
    ...(check.fix && (check.status === 'fail' || check.status === 'warn')
      ? [
          el(
            'div',
            { className: 'jp-ExoModels-fix' },
            trans.__('fix: '),
            check.fix
          )
        ]
      : [])
  );
}
