import type ExcelJS from "exceljs";

export type { ExcelJS };

let loading: Promise<typeof ExcelJS> | undefined;

/**
 * exceljs, loaded the first time a workbook is read or written. With jszip, archiver and
 * unzipper it is about 27 MB of RSS, which a service that never sees an .xlsx (most
 * partners export CSV) should not carry for its lifetime.
 */
export function loadExcelJs(): Promise<typeof ExcelJS> {
  // A failed load is not kept: the next workbook tries again (a passing EMFILE must not last until a restart).
  return (loading ??= import("exceljs").then(
    (module) => module.default,
    (error: unknown) => {
      loading = undefined;
      throw error;
    },
  ));
}
