// JupyterLab's dialogs, answered at once: the panel's tests record what was asked.
export const Dialog = {
  cancelButton: () => ({ accept: false }),
  okButton: () => ({ accept: true }),
  warnButton: (options: { label: string }) => ({ ...options, accept: true })
};
export const asked: unknown[] = [];
export async function showDialog(
  options: unknown
): Promise<{ button: { accept: boolean } }> {
  asked.push(options);
  return { button: { accept: true } };
}
