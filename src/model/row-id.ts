// Row ids are PostgreSQL integers (int4): a number beyond names no row, and never reaches a query.

/** The largest id a row can have. */
export const ROW_ID_MAX = 2_147_483_647;

/** A whole number a row's id can be (1 … ROW_ID_MAX). */
export const isRowId = (n: number): boolean => Number.isSafeInteger(n) && n >= 1 && n <= ROW_ID_MAX;
