-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "SnapshotFormat" AS ENUM ('text', 'json');

-- CreateEnum
CREATE TYPE "SubscriberStatus" AS ENUM ('pending', 'active', 'unsubscribed', 'bounced');

-- CreateEnum
CREATE TYPE "DigestStatus" AS ENUM ('ready', 'paused', 'skipped');

-- CreateEnum
CREATE TYPE "DeliveryStatus" AS ENUM ('queued', 'sending', 'sent', 'failed');

-- CreateTable
CREATE TABLE "snapshot" (
    "id" SERIAL NOT NULL,
    "source" TEXT NOT NULL,
    "captured_at" TIMESTAMPTZ(3) NOT NULL,
    "content_hash" TEXT NOT NULL,
    "format" "SnapshotFormat" NOT NULL,
    "entry_count" INTEGER NOT NULL,
    "ingested_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "snapshot_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "paper" (
    "id" SERIAL NOT NULL,
    "arxiv_id" TEXT,
    "title_key" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "abstract" TEXT NOT NULL,
    "author_count" INTEGER,
    "authors" TEXT[],
    "organization" TEXT,
    "published_on" DATE,
    "upvotes" INTEGER,
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "paper_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "snapshot_entry" (
    "snapshot_id" INTEGER NOT NULL,
    "position" INTEGER NOT NULL,
    "paper_id" INTEGER NOT NULL,

    CONSTRAINT "snapshot_entry_pkey" PRIMARY KEY ("snapshot_id","position")
);

-- CreateTable
CREATE TABLE "subscriber" (
    "id" SERIAL NOT NULL,
    "email" TEXT NOT NULL,
    "email_key" TEXT NOT NULL,
    "status" "SubscriberStatus" NOT NULL DEFAULT 'pending',
    "topics" TEXT[],
    "paused" BOOLEAN NOT NULL DEFAULT false,
    "token_nonce" TEXT NOT NULL,
    "bounce_count" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "confirmed_at" TIMESTAMPTZ(3),
    "unsubscribed_at" TIMESTAMPTZ(3),
    "bounced_at" TIMESTAMPTZ(3),

    CONSTRAINT "subscriber_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "mailed_paper" (
    "subscriber_id" INTEGER NOT NULL,
    "paper_id" INTEGER NOT NULL,
    "delivery_id" INTEGER NOT NULL,
    "mailed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "mailed_paper_pkey" PRIMARY KEY ("subscriber_id","paper_id")
);

-- CreateTable
CREATE TABLE "digest" (
    "id" SERIAL NOT NULL,
    "snapshot_id" INTEGER NOT NULL,
    "status" "DigestStatus" NOT NULL,
    "new_paper_count" INTEGER NOT NULL DEFAULT 0,
    "delivery_count" INTEGER NOT NULL DEFAULT 0,
    "pause_reason" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "paused_at" TIMESTAMPTZ(3),

    CONSTRAINT "digest_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "delivery" (
    "id" SERIAL NOT NULL,
    "digest_id" INTEGER NOT NULL,
    "subscriber_id" INTEGER NOT NULL,
    "status" "DeliveryStatus" NOT NULL DEFAULT 'queued',
    "attempt" INTEGER NOT NULL DEFAULT 1,
    "tries" INTEGER NOT NULL DEFAULT 0,
    "papers" JSONB NOT NULL,
    "message_id" TEXT,
    "worker_id" TEXT,
    "next_try_at" TIMESTAMPTZ(3),
    "smtp_response" TEXT,
    "error_code" TEXT,
    "last_error" TEXT,
    "queued_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sending_at" TIMESTAMPTZ(3),
    "sent_at" TIMESTAMPTZ(3),
    "failed_at" TIMESTAMPTZ(3),

    CONSTRAINT "delivery_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "delivery_attempt" (
    "id" SERIAL NOT NULL,
    "delivery_id" INTEGER NOT NULL,
    "attempt" INTEGER NOT NULL,
    "status" "DeliveryStatus" NOT NULL,
    "message_id" TEXT,
    "smtp_response" TEXT,
    "error_code" TEXT,
    "worker_id" TEXT,
    "reason" TEXT,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "delivery_attempt_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "worker" (
    "id" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "pid" INTEGER NOT NULL,
    "command" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "heartbeat_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "stopped_at" TIMESTAMPTZ(3),

    CONSTRAINT "worker_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "job_run" (
    "id" SERIAL NOT NULL,
    "job" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "worker_id" TEXT,
    "status" TEXT NOT NULL,
    "detail" JSONB,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "job_run_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "job_lease" (
    "job" TEXT NOT NULL,
    "holder" TEXT NOT NULL,
    "acquired_at" TIMESTAMPTZ(3) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "job_lease_pkey" PRIMARY KEY ("job")
);

-- CreateTable
CREATE TABLE "source_state" (
    "source" TEXT NOT NULL,
    "etag" TEXT,
    "last_modified" TEXT,
    "last_checked_at" TIMESTAMPTZ(3),
    "last_success_at" TIMESTAMPTZ(3),
    "last_new_snapshot_at" TIMESTAMPTZ(3),
    "last_error" TEXT,
    "last_error_code" TEXT,
    "consecutive_failures" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "source_state_pkey" PRIMARY KEY ("source")
);

-- CreateTable
CREATE TABLE "source_file" (
    "source" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "content_hash" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "snapshot_id" INTEGER,
    "error" TEXT,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "source_file_pkey" PRIMARY KEY ("source","name","content_hash")
);

-- CreateIndex
CREATE UNIQUE INDEX "snapshot_content_hash_key" ON "snapshot"("content_hash");

-- CreateIndex
CREATE INDEX "snapshot_captured_at_id_idx" ON "snapshot"("captured_at", "id");

-- CreateIndex
CREATE UNIQUE INDEX "paper_arxiv_id_key" ON "paper"("arxiv_id");

-- CreateIndex
CREATE INDEX "paper_title_key_idx" ON "paper"("title_key");

-- CreateIndex
CREATE INDEX "snapshot_entry_paper_id_idx" ON "snapshot_entry"("paper_id");

-- CreateIndex
CREATE UNIQUE INDEX "snapshot_entry_snapshot_id_paper_id_key" ON "snapshot_entry"("snapshot_id", "paper_id");

-- CreateIndex
CREATE UNIQUE INDEX "subscriber_email_key_key" ON "subscriber"("email_key");

-- CreateIndex
CREATE INDEX "subscriber_status_id_idx" ON "subscriber"("status", "id");

-- CreateIndex
CREATE INDEX "mailed_paper_paper_id_idx" ON "mailed_paper"("paper_id");

-- CreateIndex
CREATE INDEX "mailed_paper_delivery_id_idx" ON "mailed_paper"("delivery_id");

-- CreateIndex
CREATE UNIQUE INDEX "digest_snapshot_id_key" ON "digest"("snapshot_id");

-- CreateIndex
CREATE INDEX "digest_created_at_idx" ON "digest"("created_at");

-- CreateIndex
CREATE INDEX "delivery_status_next_try_at_id_idx" ON "delivery"("status", "next_try_at", "id");

-- CreateIndex
CREATE INDEX "delivery_digest_id_status_idx" ON "delivery"("digest_id", "status");

-- CreateIndex
CREATE INDEX "delivery_subscriber_id_idx" ON "delivery"("subscriber_id");

-- CreateIndex
CREATE UNIQUE INDEX "delivery_digest_id_subscriber_id_key" ON "delivery"("digest_id", "subscriber_id");

-- CreateIndex
CREATE INDEX "delivery_attempt_delivery_id_idx" ON "delivery_attempt"("delivery_id");

-- CreateIndex
CREATE INDEX "job_run_job_started_at_idx" ON "job_run"("job", "started_at");

-- AddForeignKey
ALTER TABLE "snapshot_entry" ADD CONSTRAINT "snapshot_entry_snapshot_id_fkey" FOREIGN KEY ("snapshot_id") REFERENCES "snapshot"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "snapshot_entry" ADD CONSTRAINT "snapshot_entry_paper_id_fkey" FOREIGN KEY ("paper_id") REFERENCES "paper"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "mailed_paper" ADD CONSTRAINT "mailed_paper_subscriber_id_fkey" FOREIGN KEY ("subscriber_id") REFERENCES "subscriber"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "mailed_paper" ADD CONSTRAINT "mailed_paper_paper_id_fkey" FOREIGN KEY ("paper_id") REFERENCES "paper"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "mailed_paper" ADD CONSTRAINT "mailed_paper_delivery_id_fkey" FOREIGN KEY ("delivery_id") REFERENCES "delivery"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "digest" ADD CONSTRAINT "digest_snapshot_id_fkey" FOREIGN KEY ("snapshot_id") REFERENCES "snapshot"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "delivery" ADD CONSTRAINT "delivery_digest_id_fkey" FOREIGN KEY ("digest_id") REFERENCES "digest"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "delivery" ADD CONSTRAINT "delivery_subscriber_id_fkey" FOREIGN KEY ("subscriber_id") REFERENCES "subscriber"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "delivery_attempt" ADD CONSTRAINT "delivery_attempt_delivery_id_fkey" FOREIGN KEY ("delivery_id") REFERENCES "delivery"("id") ON DELETE CASCADE ON UPDATE CASCADE;
