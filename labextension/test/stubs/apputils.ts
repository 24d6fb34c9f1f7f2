// JupyterLab's dialogs, answered at once: the panel's tests record what was asked, and choose the answers.
export const Dialog = {
  cancelButton: (options: { label?: string } = {}) => ({
    ...options,
    accept: false
  }),
  okButton: (options: { label?: string } = {}) => ({
    ...options,
    accept: true
  }),
  warnButton: (options: { label: string }) => ({ ...options, accept: true })
};
export const asked: { title?: string; body?: unknown }[] = [];
/** Whether the next dialogs are accepted, in order; once empty, every dialog is accepted. */
export const answers: boolean[] = [];
export async function showDialog(options: {
  title?: string;
  body?: unknown;
}): Promise<{ button: { accept: boolean } }> {
  asked.push(options);
  return { button: { accept: answers.length ? answers.shift()! : true } };
}
