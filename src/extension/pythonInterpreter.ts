import * as vscode from 'vscode';

/** The part of the Python extension's public API used here (its `environments` API). */
interface PythonExtensionApi {
  environments?: { getActiveEnvironmentPath(resource?: vscode.Uri): { path: string } | undefined };
}

/**
 * The interpreter chosen in VS Code's Python extension, when it is installed: registration records
 * its `pip freeze`. Never a reason to fail: without the extension, lock files describe the
 * environment on their own.
 */
export async function activePythonInterpreter(folder: vscode.Uri | undefined): Promise<string | undefined> {
  const python = vscode.extensions.getExtension<PythonExtensionApi>('ms-python.python');
  if (!python) return undefined;
  try {
    const api = python.isActive ? python.exports : await python.activate();
    const interpreter = api?.environments?.getActiveEnvironmentPath(folder)?.path;
    // A bare "python" means no interpreter was chosen; PATH lookup would pick an arbitrary one.
    return interpreter && interpreter !== 'python' ? interpreter : undefined;
  } catch {
    return undefined;
  }
}
