-- AlterTable
ALTER TABLE "paper" ADD COLUMN     "ai_keywords" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "ai_summary" TEXT,
ADD COLUMN     "comments" INTEGER,
ADD COLUMN     "github_repo" TEXT,
ADD COLUMN     "github_stars" INTEGER,
ADD COLUMN     "listed_on" DATE,
ADD COLUMN     "project_page" TEXT;
