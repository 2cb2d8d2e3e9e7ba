/**
 * Migrations 001 and 002 as they first landed, rebuilt from today's files by undoing the later edits
 * (`git log --follow -p` on each file), so the test needs no git and the repository holds no second copy
 * of either file. Applied migrations never change again (migrate.ts stops on a changed checksum), so the
 * rebuild is stable; `sha256` is the checksum of `git show <commit>:src/server/platform/migrations/<file>`,
 * taken when this file was written, and the test checks the rebuild against it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checksumOf } from '../migrate.ts';

interface OldVersion {
  file: string;
  commit: string;
  sha256: string;
  /** [text in today's file, text in the old one], applied in order. */
  undo: [string, string][];
}

const STUDENT_IDX = `-- “Not already agreed in another batch” looks a student up across batches.
create index graduate_student_idx on graduate (student_id);
`;

/** 001 as it first landed: graduates without 学号, indexed by (batch, tp, status) and by path alone. */
const FOUNDATION_FIRST: OldVersion = {
  file: '001_foundation.sql',
  commit: '50999e7',
  sha256: 'e840feb71e2300b1784476b4e1d10ba282ab449eaff92bf171251de33a5e920c',
  undo: [
    [`  -- 学号 again: a teaching point's list pages in 学号 order straight from the index below.
  student_no      text not null,
`, ''],
    [`create index graduate_batch_tp_no_idx on graduate (batch_code, tp_id, student_no);
${STUDENT_IDX}-- A batch's graduates within a subtree: the scoping predicate of every graduate list.
create index graduate_batch_path_idx on graduate (batch_code, node_path text_pattern_ops);
`, `create index graduate_batch_tp_idx on graduate (batch_code, tp_id, confirm_status);
create index graduate_path_idx on graduate (node_path text_pattern_ops);
`],
  ],
};

/** 001 at 771aef7: the oldest 001 that 002 can run on (002 indexes graduate.student_no, added here). */
const FOUNDATION_771AEF7: OldVersion = {
  file: '001_foundation.sql',
  commit: '771aef7',
  sha256: 'd76f42f4103c965847a01d9e9a90406e758269d69077bc905c60407169a0b337',
  undo: [[STUDENT_IDX, '']],
};

/** 002 as it first landed: no index of passed grades, no round task, no fillfactor. */
const AUDIT_FIRST: OldVersion = {
  file: '002_audit.sql',
  commit: '95a23f1',
  sha256: '356ec1b876817103084f110333c036de8d6311376bface2a80a8ca2f8bdde7ff',
  undo: [
    [`-- The rule engine reads each candidate's passed courses from this index alone (index-only scan).
create index grade_passed_idx on grade (student_id, course_code) where passed;
`, ''],
    [`  task_id       uuid,                  -- the latest run, for its progress after a page reload
`, ''],
    [`-- Rounds, 同意毕业 and 加急 rewrite graduates' unindexed columns: room on each page lets PostgreSQL
-- update in place (HOT) without touching the six indexes.
alter table graduate set (fillfactor = 80);
`, ''],
  ],
};

export const OLD = { foundationFirst: FOUNDATION_FIRST, foundation771aef7: FOUNDATION_771AEF7, auditFirst: AUDIT_FIRST };

const migrations = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'migrations');

/** The old file's text, checked against the checksum of the file git holds at that commit. */
export function oldVersion(v: OldVersion): string {
  let text = fs.readFileSync(path.join(migrations, v.file), 'utf8');
  for (const [now, then] of v.undo) {
    if (!text.includes(now)) throw new Error(`${v.file}: the later edit to undo is not there: ${now.slice(0, 60)}`);
    text = text.replace(now, () => then);
  }
  const sum = checksumOf(text);
  if (sum !== v.sha256) throw new Error(`${v.file} at ${v.commit}: rebuilt checksum ${sum} is not ${v.sha256}`);
  return text;
}
