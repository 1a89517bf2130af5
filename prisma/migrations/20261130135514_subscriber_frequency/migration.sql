-- CreateEnum
CREATE TYPE "Frequency" AS ENUM ('daily', 'weekly', 'feed');

-- AlterTable
ALTER TABLE "subscriber" ADD COLUMN     "frequency" "Frequency" NOT NULL DEFAULT 'daily',
ADD COLUMN     "weekly_day" INTEGER NOT NULL DEFAULT 1;

-- AlterTable
ALTER TABLE "digest_paper" ADD COLUMN     "carried_from" INTEGER;
