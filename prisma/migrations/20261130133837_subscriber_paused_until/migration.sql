-- AlterTable
ALTER TABLE "subscriber" ADD COLUMN     "paused_until" TIMESTAMPTZ(3);
