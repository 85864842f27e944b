import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { weightFileExtensions } from '../../../src/core/weightFormats';
import { allContextValues } from '../../../src/extension/tree/contextValues';

interface MenuEntry {
  command: string;
  when?: string;
}

const manifest = JSON.parse(readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')) as {
  contributes: {
    menus: Record<string, MenuEntry[]>;
    configuration: { properties: Record<string, { default?: unknown }> };
  };
};
const { menus } = manifest.contributes;

/** The extensions a `resourceFilename =~ /\.(a|b)$/i` clause lists. */
function extensionsInWhen(when: string): string[] {
  const match = /resourceFilename =~ \/\\\.\(([^)]+)\)\$\/i/.exec(when);
  assert.ok(match, `no file-name pattern in: ${when}`);
  return match[1].split('|').map((extension) => `.${extension}`);
}

describe('package.json agrees with the code', () => {
  it('offers the weight files of the format table by default', () => {
    const patterns = manifest.contributes.configuration.properties['modelRegistry.weightFilePatterns'].default;
    assert.deepEqual(patterns, weightFileExtensions().map((extension) => `*${extension}`));
  });

  it("lists the format table's weight-file extensions in the Explorer and editor menus", () => {
    const expected = [...weightFileExtensions()].sort();
    for (const [menu, command] of [['explorer/context', 'modelRegistry.registerFromExplorer'], ['editor/title/context', 'modelRegistry.registerActiveFile']]) {
      const entry = menus[menu].find((candidate) => candidate.command === command);
      assert.ok(entry?.when, `${menu} has no ${command}`);
      assert.deepEqual(extensionsInWhen(entry.when).sort(), expected, `${menu} → ${command}`);
    }
  });

  it('names in every tree menu only context values that tree nodes carry', () => {
    const values = allContextValues();
    const problems: string[] = [];
    for (const entry of menus['view/item/context']) {
      const when = entry.when ?? '';
      for (const [, literal] of when.matchAll(/viewItem == ([\w.]+)/g)) if (!values.includes(literal)) problems.push(`${entry.command}: no node has '${literal}'`);
      for (const [, source] of when.matchAll(/viewItem =~ \/((?:[^/\\]|\\.)+)\//g)) {
        const pattern = new RegExp(source);
        if (!values.some((value) => pattern.test(value))) problems.push(`${entry.command}: /${source}/ matches no node`);
      }
    }
    assert.deepEqual(problems, []);
  });

  it('writes welcome views and walkthrough steps only in what VS Code renders there: text and links, no bold or code marks', () => {
    const contributes = manifest.contributes as unknown as { viewsWelcome: { view: string; contents: string }[]; walkthroughs: { steps: { id: string; description: string }[] }[] };
    const texts = [...contributes.viewsWelcome.map((entry) => [`welcome ${entry.view}`, entry.contents]), ...contributes.walkthroughs.flatMap((walkthrough) => walkthrough.steps.map((step) => [`step ${step.id}`, step.description]))];
    const literal = texts.filter(([, text]) => /\*\*|__|`/.test(text)).map(([where]) => where);
    assert.deepEqual(literal, [], 'these show ** or backticks as typed');
  });

  it('starts the Pending Approvals view collapsed, so an empty one takes no room from the models', () => {
    const views = (manifest.contributes as unknown as { views: Record<string, { id: string; visibility?: string }[]> }).views.modelRegistry;
    assert.equal(views.find((view) => view.id === 'modelRegistry.approvals')?.visibility, 'collapsed');
  });
});
