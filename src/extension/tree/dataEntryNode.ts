import type * as vscode from 'vscode';
import { dataKeyOf } from '../../core/lineageQueries';
import { dataNodeId } from '../../core/lineageGraph';
import type { DataLineage } from '../../core/manifest';
import { ContextValues } from './contextValues';
import { DetailNode } from './detailNodes';

/** A data entry a version was trained on: a detail row that can also start the lineage graph. */
export class DataEntryNode extends DetailNode {
  constructor(
    id: string,
    readonly data: DataLineage,
  ) {
    super(id, data.uri, [data.kind, data.sha256 ? data.sha256.slice(0, 12) : ''].filter(Boolean).join(' · '), 'table', data.sha256 ? `${data.uri}\nsha256 ${data.sha256}` : data.uri);
  }

  /** What `mreg lineage` and the lineage page start from for this entry: its content hash when it has one. */
  get lineageSubject(): string {
    return dataNodeId(dataKeyOf({ uri: this.data.uri, sha256: this.data.sha256 ?? null, md5: this.data.md5 ?? null }));
  }

  override toTreeItem(): vscode.TreeItem {
    const item = super.toTreeItem();
    item.contextValue = ContextValues.dataEntry;
    return item;
  }
}
