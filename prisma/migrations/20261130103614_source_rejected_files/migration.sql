-- AlterTable
ALTER TABLE "source_state" ADD COLUMN     "rejected_files" JSONB NOT NULL DEFAULT '[]';

-- AlterTable
ALTER TABLE "source_file" ADD COLUMN     "line" INTEGER;
