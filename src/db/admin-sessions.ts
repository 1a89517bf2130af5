import type { Db } from './database.ts';
// Dashboard sessions ended by logging out (schema: AdminSessionEnd). A session is a signed cookie
// that every process sharing ADMIN_TOKEN accepts until it expires (web/dashboard/session.ts); an
// ended one is refused by every process from the moment its row is written. A row is kept until the
// session would have expired anyway, then dropped by the next logout.

export async function endSession(db: Db, session: { nonce: string; expiresAt: number }, now: Date): Promise<void> {
  await db.adminSessionEnd.upsert({
    where: { nonce: session.nonce },
    create: { nonce: session.nonce, expiresAt: new Date(session.expiresAt), endedAt: now },
    update: {},
  });
  await db.adminSessionEnd.deleteMany({ where: { expiresAt: { lt: now } } });
}

export async function sessionEnded(db: Db, nonce: string): Promise<boolean> {
  return (await db.adminSessionEnd.count({ where: { nonce } })) > 0;
}
