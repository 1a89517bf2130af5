-- AlterEnum
ALTER TYPE "DigestStatus" ADD VALUE 'building';

-- AlterTable
ALTER TABLE "digest" ADD COLUMN     "build_after" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "build_readers" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "build_readers_total" INTEGER,
ADD COLUMN     "build_up_to" INTEGER;
