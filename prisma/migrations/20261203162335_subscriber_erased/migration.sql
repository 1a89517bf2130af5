-- AlterEnum
ALTER TYPE "SubscriberStatus" ADD VALUE 'erased';

-- AlterTable
ALTER TABLE "subscriber" ADD COLUMN     "erased_at" TIMESTAMPTZ(3);
