import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { LabIcon } from '@jupyterlab/ui-components';

import iconSvg from '../style/icons/models.svg';
// The sidebar's tab shows from the start (and the layout restorer may open it): all three are needed at once.
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { ExoModelsApi } from './api';
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { ExoModelsModel } from './model';
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { ExoModelsPanel } from './panel';

const PLUGIN_ID = 'jupyter-exo-models:plugin';
const COMMAND = 'jupyter-exo-models:open';

const icon = new LabIcon({ name: 'jupyter-exo-models:icon', svgstr: iconSvg });

const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description:
    'Import Hugging Face models into Exoscale Dedicated Inference from a JupyterLab sidebar.',
  autoStart: true,
  // The File menu entry is declared in schema/plugin.json (jupyter.lab.menus).
  optional: [ICommandPalette, ILayoutRestorer, ISettingRegistry, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    settingRegistry: ISettingRegistry | null,
    translator: ITranslator | null
  ) => {
    translator = translator ?? nullTranslator;
    const trans = translator.load('jupyter_exo_models');
    const serverSettings = app.serviceManager.serverSettings;
    const request = (path: string, init: { method?: string; body?: string }) =>
      // makeRequest adds the token and the XSRF header
      ServerConnection.makeRequest(
        URLExt.join(serverSettings.baseUrl, 'jupyter-exo-models', path),
        init,
        serverSettings
      );
    const model = new ExoModelsModel(new ExoModelsApi(request, trans), trans);
    const panel = new ExoModelsPanel(model, translator);
    panel.title.icon = icon;
    app.shell.add(panel, 'left', { rank: 900 });
    restorer?.add(panel, 'jupyter-exo-models');

    app.commands.addCommand(COMMAND, {
      label: trans.__('Import a Hugging Face model into Exoscale…'),
      caption: trans.__('Open the Exoscale models sidebar and its import form'),
      icon,
      describedBy: { args: { type: 'object', properties: {} } },
      execute: () => {
        app.shell.activateById(panel.id);
        panel.openForm();
      }
    });
    palette?.addItem({ command: COMMAND, category: trans.__('Exoscale') });

    // The settings first (the default zone decides what start() lists), then the models.
    const loaded = settingRegistry
      ? settingRegistry
          .load(PLUGIN_ID)
          .then(settings => {
            const apply = () => {
              model.setRefreshInterval(
                settings.get('refreshInterval').composite as number
              );
              model.setDefaultZone(
                settings.get('defaultZone').composite as string
              );
            };
            apply();
            settings.changed.connect(apply);
          })
          .catch(reason =>
            console.error('jupyter-exo-models: settings not loaded', reason)
          )
      : Promise.resolve();
    void loaded.then(() => model.start());
  }
};

export default plugin;
