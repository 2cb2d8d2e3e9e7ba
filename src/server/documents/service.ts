/** The documents' one door for other capabilities: what they print with (the 未办理毕业学生统计表, the school and the print date). */
export { issuingSchool, printDate } from './load.ts';
export { notGraduatingPdfOptions, renderNotGraduating } from './not-graduating.ts';
