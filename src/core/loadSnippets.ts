import type { ModelVersion } from './modelVersion';
import { pinnedComment, pythonSnippet } from './pythonSnippet';
import { formatRef } from './refs';

type SnippetVersion = Pick<ModelVersion, 'model' | 'number' | 'stage' | 'aliases'>;

/** The ways to load a version that "Copy Load Snippet…" offers: the Node library, the Python client, and `mreg pull`. */
export const LOAD_SNIPPET_KINDS = ['node', 'python', 'pull'] as const;
export type LoadSnippetKind = (typeof LOAD_SNIPPET_KINDS)[number];

export const LOAD_SNIPPET_LABELS: Record<LoadSnippetKind, { label: string; detail: string }> = {
  node: { label: 'Node.js', detail: "the model-registry library: resolve the version to its verified local files" },
  python: { label: 'Python', detail: 'the Python client (pip install ./python from Model Registry): resolve_path to a folder of the files' },
  pull: { label: 'mreg pull', detail: 'a shell line that copies the files into a folder, every byte verified' },
};

/** Every snippet is pinned to the version's number, so what it loads never changes; each says what would follow promotions. */
export function loadSnippet(kind: LoadSnippetKind, version: SnippetVersion): string {
  const pinned = formatRef(version.model, version.number);
  switch (kind) {
    case 'python':
      return pythonSnippet(version);
    case 'node':
      return [
        "import { Registry, locateRegistryFolder } from 'model-registry';",
        '',
        pinnedComment(version, '//'),
        'const registry = await Registry.open({ folder: locateRegistryFolder(process.cwd()) });',
        `const { artifacts } = registry.resolve(${JSON.stringify(pinned)});`,
        '// Each artifact: path (as registered), sha256, size, and blobPath (the verified local file).',
        'const files = Object.fromEntries(artifacts.map((artifact) => [artifact.path, artifact.blobPath]));',
        'await registry.close();',
        '',
      ].join('\n');
    case 'pull':
      // Model names are [A-Za-z0-9._-]: no shell quoting needed.
      return [pinnedComment(version, '#'), `mreg pull ${pinned} --to models/${version.model}-${version.number}`, ''].join('\n');
  }
}
