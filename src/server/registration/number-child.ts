/**
 * One numbering in its own process, for registration.test.ts's two-process check on PostgreSQL:
 * `tsx number-child.ts <database url> <batch>` numbers the batch's graduates and prints how many.
 */
import { openDatabase } from '../platform/db.ts';
import { assignCertificateNumbers } from './service.ts';

const [url, batch] = process.argv.slice(2);
const database = await openDatabase({ databaseUrl: url });
try {
  const n = await assignCertificateNumbers(database.db, { batch });
  process.stdout.write(`${JSON.stringify({ numbered: n })}\n`);
} finally {
  await database.close();
}
