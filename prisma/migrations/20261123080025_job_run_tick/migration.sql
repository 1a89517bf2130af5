-- AlterTable
ALTER TABLE "job_run" ADD COLUMN     "tick" TIMESTAMPTZ(3);

-- CreateIndex
CREATE UNIQUE INDEX "job_run_job_tick_key" ON "job_run"("job", "tick");
