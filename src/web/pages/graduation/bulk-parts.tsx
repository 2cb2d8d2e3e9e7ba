/**
 * What the pages of 毕业管理 (预毕业确认, 毕业生登记表管理, 毕业材料提交) share: the choices of their filters,
 * the reason asked before a refusal (不同意, 退回), the ticked list with its paging, and the bar of actions above it.
 */
import { useEffect, useState, type ReactNode } from 'react';
import { Col, Form, Input, Modal, Table } from 'antd';
import type { FormInstance, TableProps, TablePaginationConfig } from 'antd';
import { api, type Batch, type OrgNode } from '../../api.ts';
import { useMe } from '../../session.tsx';
import { BatchFilterItem, TpFilterItem } from '../../student-columns.tsx';

/** The batch a filter opens on: the current one, or the latest. */
export const openingBatch = (batches: Batch[]) => (batches.find((b) => b.is_current) ?? batches[0])?.code ?? null;

/** Sets a filter's 毕业批次 to the opening batch once the batches are read, unless one is chosen already. */
export function useOpeningBatch(form: FormInstance, batches: Batch[]) {
  useEffect(() => {
    const code = openingBatch(batches);
    if (code && !form.getFieldValue('batch')) form.setFieldValue('batch', code);
  }, [batches, form]);
}

/** What the filters offer: the batches, the teaching points (unless the caller is one), and the majors if asked. */
export function useFilterChoices(fixedTp: string | null, { majors: withMajors = true } = {}) {
  const [batches, setBatches] = useState<Batch[]>([]);
  const [tps, setTps] = useState<OrgNode[]>([]);
  const [majors, setMajors] = useState<string[]>([]);
  useEffect(() => {
    api.batches().then(setBatches, () => undefined);
    if (!fixedTp) api.nodes({ kind: 'tp' }).then(setTps, () => undefined);
    if (withMajors) api.majors().then((l) => setMajors([...new Set(l.map((m) => m.major))]), () => undefined);
  }, [fixedTp, withMajors]);
  return { batches, tps, majors };
}

/** 毕业批次 and the teaching point, the first two fields of the filters. */
export function BatchTpCols({ batches, tps, fixedTp, tpLabel }: { batches: Batch[]; tps: OrgNode[]; fixedTp: string | null; tpLabel: string }) {
  const me = useMe();
  return (
    <>
      <Col xs={24} md={12} xl={8}>
        <BatchFilterItem batches={batches} />
      </Col>
      <Col xs={24} md={12} xl={8}>
        <TpFilterItem label={tpLabel} fixedTp={fixedTp} fixedName={me.node.name} tps={tps} />
      </Col>
    </>
  );
}

/** 不同意 / 退回: a required reason of 2 to 200 characters; `onSubmit` answers whether it was done (then the form clears). */
export function ReasonModal({
  title, open, okText, label, short, required, placeholder, extra, name, onCancel, onSubmit,
}: {
  title: string;
  open: boolean;
  okText: string;
  /** The field's label (不同意的原因), and its short name in the length messages (原因). */
  label: string;
  short: string;
  /** The message when nothing is written. */
  required: string;
  placeholder: string;
  extra?: ReactNode;
  name: string;
  onCancel: () => void;
  onSubmit: (reason: string) => Promise<boolean>;
}) {
  const [form] = Form.useForm<{ reason: string }>();
  const [busy, setBusy] = useState(false);
  return (
    <Modal
      title={title}
      open={open}
      okText={okText}
      cancelText="取消"
      okButtonProps={{ danger: true, loading: busy }}
      onCancel={onCancel}
      onOk={() => {
        form.validateFields().then(
          async ({ reason }) => {
            setBusy(true);
            try {
              if (await onSubmit(reason.trim())) form.resetFields();
            } finally {
              setBusy(false);
            }
          },
          () => undefined,
        );
      }}
      forceRender
    >
      <Form form={form} layout="vertical" name={name}>
        <Form.Item
          label={label}
          name="reason"
          extra={extra}
          rules={[
            { required: true, whitespace: true, message: required },
            { min: 2, message: `${short}至少 2 个字` },
            { max: 200, message: `${short}不超过 200 字` },
          ]}
        >
          <Input.TextArea rows={3} maxLength={200} showCount placeholder={placeholder} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** The pages' student sizes: 20 to 200 a page. */
export const studentPaging = (p: (showTotal: (total: number) => string) => TablePaginationConfig): TablePaginationConfig => ({
  ...p((t) => `共 ${t} 人`),
  pageSizeOptions: [20, 50, 100, 200],
});

/** The list of students a bulk action ticks: ticks kept across pages (`selection` of useTickedRows). */
export function TickedTable<R extends { id: number }>({
  selection, emptyText, ...props
}: Omit<TableProps<R>, 'rowKey' | 'size' | 'rowSelection'> & { selection: TableProps<R>['rowSelection']; emptyText: string }) {
  return <Table<R> rowKey="id" size="small" locale={{ emptyText }} rowSelection={{ fixed: true, ...selection }} {...props} />;
}

/** The bar above the list: the actions on the left, what is ticked on the right. */
export function ActionBar({ children, aside }: { children: ReactNode; aside: ReactNode }) {
  return (
    <div style={{ display: 'flex', flexWrap: 'wrap', gap: 12, alignItems: 'center', justifyContent: 'space-between', marginBottom: 12 }}>
      {children}
      {aside}
    </div>
  );
}
