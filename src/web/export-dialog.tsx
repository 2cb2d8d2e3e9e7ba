/**
 * 导出设置: the dialog of 下载报名登记表 (学籍卡查询, seed 000 step 五), 成绩单打印 (学生学籍档案打印, step 六)
 * and 下载毕业生登记表 (毕业生登记表管理, step 四.5). It asks 导出范围, 排序方式 and, for the printed
 * documents (成绩单, 毕业生登记表), 打印方式, then starts the export; the file comes in 消息.
 */
import { useEffect, useState, type ReactNode } from 'react';
import { App as AntApp, Button, Form, Modal, Radio, Typography } from 'antd';
import type { z } from 'zod';
import { Link } from 'react-router-dom';
import { OFFICES } from '../shared/org.ts';
import { call } from './client.ts';
import { PRINT_MODE_NAMES, PRINT_MODES, type ExportScope, type PrintMode } from '../shared/contract/exports.ts';
import type { FormFilter } from '../shared/contract/forms.ts';
import {
  GRADUATE_FORMS,
  recordsApi,
  SORT_KEYS,
  SORTS,
  STUDENTS_XLSX,
  type DocFilter,
  type DocumentKind,
  type graduateFormsPayload,
  type SortKey,
  type SortOrderRow,
  type transcriptsPayload,
} from '../shared/contract/records.ts';
import { startExport } from './running-exports.tsx';
import { useMe } from './session.tsx';
import { useBusyAction } from './ui.tsx';

/** 排序方式 of the dialog: a sorting standard, or each teaching point's own (教学点默认排序). */
type SortChoice = SortKey | 'default';

/** The documents the dialog exports: a student's 学籍 documents, or the 毕业生登记表 of 毕业生登记表管理. */
export type ExportDialogKind = DocumentKind | typeof GRADUATE_FORMS;
/** The kinds that ask 打印方式. */
const PRINTED: ExportDialogKind[] = ['transcripts', 'graduate-forms'];

export type ExportDialogProps = {
  open: boolean;
  onClose: () => void;
  /** The ticked rows (kept across pages): students, or for 毕业生登记表 the forms' ids. */
  ticked: number[];
  /** How many students the current query finds. */
  total: number;
} & (
  | { kind: DocumentKind; /** The current query, as the list was last searched. */ filter: DocFilter }
  | { kind: 'graduate-forms'; filter: FormFilter }
);

type Choice<V extends string> = { value: V; label: string; disabled?: boolean };
const choices = <V extends string>(keys: readonly V[], names: Record<V, string>): Choice<V>[] => keys.map((k) => ({ value: k, label: names[k] }));

/** One question of the dialog: its choices one under another. */
function RadioColumn<V extends string>({ label, extra, value, onChange, options }: {
  label: string; extra?: ReactNode; value: V; onChange: (v: V) => void; options: Choice<V>[];
}) {
  return (
    <Form.Item label={label} extra={extra}>
      <Radio.Group
        aria-label={label}
        value={value}
        onChange={(e) => onChange(e.target.value as V)}
        style={{ display: 'flex', flexDirection: 'column', gap: 8 }}
        options={options}
      />
    </Form.Item>
  );
}

/** The default sort's label: the teaching point's standard when the query is one teaching point. */
function defaultLabel(rows: SortOrderRow[] | null, tpCode: string | undefined): string {
  const row = tpCode ? rows?.find((r) => r.tp_code === tpCode) : rows?.length === 1 ? rows[0] : undefined;
  if (row) return `教学点默认排序（${SORTS[row.sort]}）`;
  return '教学点默认排序（各教学点按其文档排序标准）';
}

export function ExportDialog(props: ExportDialogProps) {
  const { kind, open, onClose, ticked, total, filter } = props;
  const { message } = AntApp.useApp();
  const me = useMe();
  const [scope, setScope] = useState<ExportScope>('query');
  const [sort, setSort] = useState<SortChoice>('default');
  const [printMode, setPrintMode] = useState<PrintMode>('zip');
  const [orders, setOrders] = useState<SortOrderRow[] | null>(null);
  const { busy, exclusive } = useBusyAction();

  // Each opening starts from the ticked students if there are any, and the teaching point's standard.
  useEffect(() => {
    if (!open) return;
    setScope(ticked.length ? 'ticked' : 'query');
    setSort('default');
    setPrintMode('zip');
    let alive = true;
    call(recordsApi.sortOrders).then(
      (r) => alive && setOrders(r.rows),
      () => undefined,
    );
    return () => {
      alive = false;
    };
    // The ticked count is read at opening only.
  }, [open]);

  const count = scope === 'ticked' ? ticked.length : total;

  const onOk = () =>
    exclusive(async () => {
      // Typed by the payload schemas the server parses (the print mode is the 成绩单's and 毕业生登记表's only).
      const payload: z.input<typeof transcriptsPayload> | z.input<typeof graduateFormsPayload> = {
        scope, ids: scope === 'ticked' ? ticked : undefined, sort: sort === 'default' ? null : sort, filter: props.filter,
        print_mode: PRINTED.includes(kind) ? printMode : undefined,
      };
      await startExport(kind, payload);
      void message.success('已开始导出，完成后可在右上角“消息”中下载');
      onClose();
    });

  return (
    <Modal
      title="导出设置"
      open={open}
      okText="确定"
      cancelText="取消"
      confirmLoading={busy}
      okButtonProps={{ disabled: count === 0 }}
      onOk={() => void onOk()}
      onCancel={onClose}
      width={520}
    >
      <Form layout="vertical" name={`export-${kind}`} component="div">
        <RadioColumn<ExportScope>
          label="导出范围"
          value={scope}
          onChange={setScope}
          options={[
            { value: 'ticked', label: `勾选的学生（${ticked.length} 人）`, disabled: ticked.length === 0 },
            { value: 'query', label: `当前查询的全部学生（${total} 人）` },
          ]}
        />
        <RadioColumn<SortChoice>
          label="排序方式"
          extra={
            <>
              入学登记表、毕业生登记表、成绩单、档案袋宜按同一标准排序，避免封装档案时匹配困难。
              {OFFICES.includes(me.role) && <Link to="/system/sort-orders">设置文档排序标准</Link>}
            </>
          }
          value={sort}
          onChange={setSort}
          options={[{ value: 'default', label: defaultLabel(orders, filter.tp_code) }, ...choices(SORT_KEYS, SORTS)]}
        />
        {PRINTED.includes(kind) && (
          <RadioColumn<PrintMode> label="打印方式" value={printMode} onChange={setPrintMode} options={choices(PRINT_MODES, PRINT_MODE_NAMES)} />
        )}
        <Typography.Text type="secondary">
          共 {count} 人。导出在后台进行，本页显示进度；完成后在右上角“消息”中下载
          {kind === 'enroll-forms' ? '（zip 压缩包，每人一个 PDF，解压后 A4 纸打印）' : ''}
          {kind === 'graduate-forms' ? '（打印后学生和班主任签字，并加盖教学点公章）' : ''}。
        </Typography.Text>
      </Form>
    </Modal>
  );
}

/** 导出Excel: the list as it is queried and sorted, as a 学生名单 export (streamed; 消息 brings the file). */
export function ExcelExportButton({ filter, sort, disabled }: { filter: DocFilter; sort?: SortKey; disabled?: boolean }) {
  const { message } = AntApp.useApp();
  const { busy, exclusive } = useBusyAction();
  return (
    <Button
      disabled={disabled}
      loading={busy}
      onClick={() =>
        void exclusive(async () => {
          await startExport(STUDENTS_XLSX, { filter, sort: sort ?? 'student_no' });
          void message.success('已开始导出 Excel，完成后可在右上角“消息”中下载');
        })
      }
    >
      导出Excel
    </Button>
  );
}
