import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { URLExt } from '@jupyterlab/coreutils';
import { IMainMenu } from '@jupyterlab/mainmenu';
import { ServerConnection } from '@jupyterlab/services';
import { LabIcon } from '@jupyterlab/ui-components';

import { ExoModelsApi } from './api';
import { ExoModelsPanel } from './panel';

const COMMAND = 'jupyter-exo-models:open';

const icon = new LabIcon({
  name: 'jupyter-exo-models:icon',
  svgstr:
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><g class="jp-icon3" fill="#616161">' +
    '<path d="M12 2 3 7v10l9 5 9-5V7l-9-5zm0 2.3 6.6 3.7L12 11.7 5.4 8 12 4.3zM5 9.7l6 3.4v6.6l-6-3.4V9.7zm8 10v-6.6l6-3.4v6.6l-6 3.4z"/>' +
    '</g></svg>'
});

function request(
  path: string,
  init: { method?: string; body?: string }
): Promise<Response> {
  const settings = ServerConnection.makeSettings();
  const url = URLExt.join(settings.baseUrl, 'jupyter-exo-models', path);
  return ServerConnection.makeRequest(url, init, settings); // adds the token and the XSRF header
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-exo-models:plugin',
  description:
    'Import Hugging Face models into Exoscale Dedicated Inference from a JupyterLab sidebar.',
  autoStart: true,
  optional: [ICommandPalette, IMainMenu, ILayoutRestorer],
  activate: (
    app: JupyterFrontEnd,
    palette: ICommandPalette | null,
    menu: IMainMenu | null,
    restorer: ILayoutRestorer | null
  ) => {
    const panel = new ExoModelsPanel(new ExoModelsApi(request));
    panel.title.icon = icon;
    app.shell.add(panel, 'left', { rank: 900 });
    restorer?.add(panel, 'jupyter-exo-models');
    void panel.start();
    app.commands.addCommand(COMMAND, {
      label: 'Import a Hugging Face model into Exoscale…',
      caption: 'Open the Exoscale models sidebar and its import form',
      icon,
      execute: () => {
        app.shell.activateById(panel.id);
        panel.openForm();
      }
    });
    palette?.addItem({ command: COMMAND, category: 'Exoscale' });
    menu?.fileMenu.addGroup([{ command: COMMAND }], 100);
  }
};

export default plugin;
