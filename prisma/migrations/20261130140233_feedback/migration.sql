-- CreateEnum
CREATE TYPE "FeedbackKind" AS ENUM ('more_like_this', 'not_relevant', 'mute_topic', 'restore_topic');

-- AlterTable
ALTER TABLE "subscriber" ADD COLUMN     "muted_topics" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- CreateTable
CREATE TABLE "feedback" (
    "id" SERIAL NOT NULL,
    "subscriber_id" INTEGER NOT NULL,
    "kind" "FeedbackKind" NOT NULL,
    "paper_id" INTEGER,
    "topic" TEXT,
    "delivery_id" INTEGER,
    "at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "feedback_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "feedback_subscriber_id_at_idx" ON "feedback"("subscriber_id", "at");

-- AddForeignKey
ALTER TABLE "feedback" ADD CONSTRAINT "feedback_subscriber_id_fkey" FOREIGN KEY ("subscriber_id") REFERENCES "subscriber"("id") ON DELETE CASCADE ON UPDATE CASCADE;
