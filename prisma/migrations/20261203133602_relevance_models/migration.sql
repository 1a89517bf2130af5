-- CreateTable
CREATE TABLE "text_model" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "buckets" INTEGER NOT NULL,
    "documents" INTEGER NOT NULL,
    "df" BYTEA NOT NULL,
    "counted_through" INTEGER NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "text_model_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "reader_model" (
    "subscriber_id" INTEGER NOT NULL,
    "model" TEXT,
    "bytes" INTEGER NOT NULL DEFAULT 0,
    "feedback_through" INTEGER NOT NULL,
    "positives" INTEGER NOT NULL DEFAULT 0,
    "negatives" INTEGER NOT NULL DEFAULT 0,
    "trained_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "reader_model_pkey" PRIMARY KEY ("subscriber_id")
);

-- AddForeignKey
ALTER TABLE "reader_model" ADD CONSTRAINT "reader_model_subscriber_id_fkey" FOREIGN KEY ("subscriber_id") REFERENCES "subscriber"("id") ON DELETE CASCADE ON UPDATE CASCADE;
