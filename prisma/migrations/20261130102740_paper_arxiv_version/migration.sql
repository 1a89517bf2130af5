-- AlterTable
ALTER TABLE "paper" ADD COLUMN     "arxiv_version" INTEGER;
