// Read by the Prisma CLI only (generate; `prisma migrate deploy` for operators with the engines).
// paperboy itself applies migrations with `paperboy migrate` (src/db/migrate.ts).
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/paperboy' },
});
