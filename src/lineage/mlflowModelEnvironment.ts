import { statSync } from 'node:fs';
import path from 'node:path';
import { readMlflowModelFile, readMlflowModelRequirements } from '../formats/mlflowModel';
import { projectRelative } from './projectFiles';

/** What a registered MLflow model folder says about the software it needs, as the environment records it. */
export interface MlflowModelEnvironment {
  /** The model folder, relative to the project. */
  path: string;
  flavors: string[];
  runId?: string;
  mlflowVersion?: string;
  /** The Python version the model was saved with (python_env.yaml, else the pyfunc flavor). */
  python?: string;
  /** requirements.txt beside MLmodel: what `mlflow models serve` pip-installs. */
  requirements?: string[];
  /** conda.yaml's dependencies (pip ones as `pip:<requirement>`). */
  conda?: string[];
}

/**
 * The MLflow models among the registered paths: a folder holding `MLmodel`, or an `MLmodel` file
 * itself (its folder's environment files are read then). Their signature is the inspection's
 * business; here, the environment they were made in and will be served with.
 */
export function mlflowModelsAmong(projectRoot: string, artifacts: readonly string[]): MlflowModelEnvironment[] {
  const models: MlflowModelEnvironment[] = [];
  for (const artifact of artifacts) {
    const stats = statSync(artifact, { throwIfNoEntry: false });
    const dir = stats?.isDirectory() ? path.resolve(artifact) : path.basename(artifact) === 'MLmodel' ? path.dirname(path.resolve(artifact)) : undefined;
    if (!dir) continue;
    const model = readMlflowModelFile(path.join(dir, 'MLmodel'));
    if (!model) continue;
    const requirements = readMlflowModelRequirements(dir);
    const entry: MlflowModelEnvironment = { path: projectRelative(projectRoot, dir), flavors: model.flavors };
    if (model.runId) entry.runId = model.runId;
    if (model.mlflowVersion) entry.mlflowVersion = model.mlflowVersion;
    const python = requirements.python ?? model.pythonVersion;
    if (python) entry.python = python;
    if (requirements.requirements) entry.requirements = requirements.requirements;
    if (requirements.conda) entry.conda = requirements.conda;
    models.push(entry);
  }
  return models;
}
