import type { Stage } from './stage';
import type { SqlDatabase } from './sqlDatabase';

/** A version as a lineage node needs it. */
export interface LineageVersionRow {
  id: number;
  model: string;
  number: number;
  stage: Stage;
  semver: string | null;
  commit: string | null;
  branch: string | null;
  createdAt: string;
  aliases: string[];
}

/** A data entry as the projection keeps it: content hash, DVC md5, or only its URI. */
export type LineageDataRow = {
  uri: string;
  sha256: string | null;
  md5: string | null;
};

/** Identifies a data entry the way lineage matches entries across versions: by content when known. */
export type DataKey = { by: 'sha256' | 'md5' | 'uri'; value: string };

export function dataKeyOf(data: LineageDataRow): DataKey {
  if (data.sha256) return { by: 'sha256', value: data.sha256 };
  if (data.md5) return { by: 'md5', value: data.md5 };
  return { by: 'uri', value: data.uri };
}

/** Some versions of a larger set: the first `limit` by importance, and how many there are in all. */
export interface BoundedVersions {
  shown: LineageVersionRow[];
  total: number;
}

const VERSION_COLUMNS = `v.id, m.name AS model, v.number, v.stage, v.semver, v.git_commit AS git_commit, v.git_branch AS git_branch, v.created_at,
  (SELECT group_concat(alias, ' ') FROM (SELECT alias FROM aliases a WHERE a.version_id = v.id ORDER BY alias)) AS aliases`;
/** Production first, then Staging, then the newest: what a person looks for in a long list. */
const IMPORTANCE = `(v.stage = 'Production') DESC, (v.stage = 'Staging') DESC, (SELECT COUNT(*) FROM aliases a WHERE a.version_id = v.id) DESC, v.created_at DESC, v.id DESC`;

/**
 * The read side of the lineage graph: which data a version was trained on, which versions share a
 * data entry or a commit, and which versions' artifacts are another version's data. Each query is
 * bounded by a limit and served by an index (sha256, md5, the artifact hash), except a commit's
 * versions and a hashless URI, which scan one table.
 */
export class LineageQueries {
  constructor(private readonly db: SqlDatabase) {}

  version(model: string, number: number): LineageVersionRow | undefined {
    return this.versions('JOIN models m ON m.id = v.model_id WHERE m.name = ? AND v.number = ?', [model, number])[0];
  }

  /** A model's versions by importance. */
  versionsOfModel(model: string, limit: number): BoundedVersions {
    return this.bounded('JOIN models m ON m.id = v.model_id WHERE m.name = ?', [model], limit);
  }

  dataOf(versionId: number): LineageDataRow[] {
    return this.db.all<LineageDataRow>('SELECT uri, sha256, md5 FROM version_data WHERE version_id = ? ORDER BY position', [versionId]);
  }

  /** The versions trained on a data entry, by importance. */
  versionsTrainedOn(key: DataKey, limit: number): BoundedVersions {
    const [where, params] = dataCondition(key);
    return this.bounded(`JOIN models m ON m.id = v.model_id WHERE v.id IN (SELECT d.version_id FROM version_data d WHERE ${where})`, params, limit);
  }

  /** The models trained on a data entry (at most `limit` names). */
  modelsTrainedOn(key: DataKey, limit: number): string[] {
    const [where, params] = dataCondition(key);
    return this.db
      .all<{ name: string }>(
        `SELECT DISTINCT m.name FROM version_data d JOIN model_versions v ON v.id = d.version_id JOIN models m ON m.id = v.model_id WHERE ${where} ORDER BY m.name LIMIT ?`,
        [...params, limit],
      )
      .map((row) => row.name);
  }

  /** The versions one of whose artifacts has this content: the models whose output this data is. */
  versionsProducing(sha256: string, limit: number): BoundedVersions {
    return this.bounded('JOIN models m ON m.id = v.model_id WHERE v.id IN (SELECT a.version_id FROM version_artifacts a WHERE a.sha256 = ?)', [sha256], limit);
  }

  /** Data entries of any version whose content is one of this version's artifacts. */
  outputsOf(versionId: number): LineageDataRow[] {
    return this.db.all<LineageDataRow>(
      `SELECT MIN(d.uri) AS uri, d.sha256 AS sha256, NULL AS md5 FROM version_artifacts a JOIN version_data d ON d.sha256 = a.sha256
        WHERE a.version_id = ? AND d.sha256 IS NOT NULL GROUP BY d.sha256 ORDER BY d.sha256`,
      [versionId],
    );
  }

  versionsBuiltFrom(commit: string, limit: number): BoundedVersions {
    return this.bounded('JOIN models m ON m.id = v.model_id WHERE v.git_commit = ?', [commit], limit);
  }

  /** A data entry recorded under this URI (or path), if any version has one. */
  dataByUri(uri: string): LineageDataRow | undefined {
    return this.db.get<LineageDataRow>('SELECT uri, sha256, md5 FROM version_data WHERE uri = ? ORDER BY sha256 IS NULL, md5 IS NULL LIMIT 1', [uri]);
  }

  /** A data entry with this hash (sha256, or DVC md5), if any version has one. */
  dataByHash(by: 'sha256' | 'md5', value: string): LineageDataRow | undefined {
    const column = by === 'sha256' ? 'sha256' : 'md5';
    return this.db.get<LineageDataRow>(`SELECT uri, sha256, md5 FROM version_data WHERE ${column} = ? LIMIT 1`, [value]);
  }

  private bounded(clause: string, params: (string | number)[], limit: number): BoundedVersions {
    const total = Number(this.db.get<{ total: number }>(`SELECT COUNT(*) AS total FROM model_versions v ${clause}`, params)?.total ?? 0);
    const shown = total === 0 ? [] : this.versions(`${clause} ORDER BY ${IMPORTANCE} LIMIT ?`, [...params, limit]);
    return { shown, total };
  }

  private versions(clause: string, params: (string | number)[]): LineageVersionRow[] {
    return this.db
      .all<{ id: number; model: string; number: number; stage: Stage; semver: string | null; git_commit: string | null; git_branch: string | null; created_at: string; aliases: string | null }>(
        `SELECT ${VERSION_COLUMNS} FROM model_versions v ${clause}`,
        params,
      )
      .map((row) => ({
        id: row.id,
        model: row.model,
        number: row.number,
        stage: row.stage,
        semver: row.semver,
        commit: row.git_commit,
        branch: row.git_branch,
        createdAt: row.created_at,
        aliases: row.aliases ? row.aliases.split(' ') : [],
      }));
  }
}

/** A data entry is matched by its content hash when it has one; an entry known only by URI, by that URI among hashless entries. */
function dataCondition(key: DataKey): [string, string[]] {
  switch (key.by) {
    case 'sha256':
      return ['d.sha256 = ?', [key.value]];
    case 'md5':
      return ['d.md5 = ?', [key.value]];
    case 'uri':
      return ['d.uri = ? AND d.sha256 IS NULL AND d.md5 IS NULL', [key.value]];
  }
}
