// The shape of one row of the environment variables' table (variables.ts).
import type { z } from 'zod';

export interface Variable {
  group: 'DATABASE' | 'WEB' | 'MAIL' | 'SENDING' | 'SECURITY' | 'SCHEDULE' | 'OPERATIONS';
  schema: z.ZodType;
  /** shown in .env.example; undefined means "unset" */
  example?: string;
  required: false;
  doc: string;
}
