/** Every command of the extension, as declared in package.json; code and tests use these names. */
export const CommandIds = {
  registerVersion: 'modelRegistry.registerVersion',
  registerActiveFile: 'modelRegistry.registerActiveFile',
  registerFromExplorer: 'modelRegistry.registerFromExplorer',
  promoteVersion: 'modelRegistry.promoteVersion',
  setAlias: 'modelRegistry.setAlias',
  archiveVersion: 'modelRegistry.archiveVersion',
  rollbackProduction: 'modelRegistry.rollbackProduction',
  compareVersions: 'modelRegistry.compareVersions',
  showVersionDetails: 'modelRegistry.showVersionDetails',
  showMetricsChart: 'modelRegistry.showMetricsChart',
  copyVersionUri: 'modelRegistry.copyVersionUri',
  pullVersion: 'modelRegistry.pullVersion',
  openArtifact: 'modelRegistry.openArtifact',
  revealArtifact: 'modelRegistry.revealArtifact',
  showManifest: 'modelRegistry.showManifest',
  showLog: 'modelRegistry.showLog',
  verifyIntegrity: 'modelRegistry.verifyIntegrity',
  refresh: 'modelRegistry.refresh',
  filterTree: 'modelRegistry.filterTree',
  clearFilter: 'modelRegistry.clearFilter',
  syncNow: 'modelRegistry.syncNow',
  reviewApprovals: 'modelRegistry.reviewApprovals',
  showStatusMenu: 'modelRegistry.showStatusMenu',
  openSettings: 'modelRegistry.openSettings',
} as const;

export type CommandId = (typeof CommandIds)[keyof typeof CommandIds];
