/**
 * What the pages of 毕业管理 (预毕业确认, 毕业生登记表管理, 毕业材料提交) share: the batch their filters open on,
 * 毕业批次 and the teaching point, the reason asked before a refusal (不同意, 退回), and the bar of actions above the list.
 */
import { useEffect, useState, type ReactNode } from 'react';
import { Col, Form, Modal } from 'antd';
import type { FormInstance } from 'antd';
import type { Batch } from '../../../shared/contract/batches.ts';
import type { OrgNode } from '../../../shared/contract/org.ts';
import { useMe } from '../../session.tsx';
import { BatchFilterItem, TpFilterItem } from '../../student-columns.tsx';
import { TextField, THIRD } from '../../ui.tsx';

/** The batch a filter opens on: the current one, or the latest. */
export const openingBatch = (batches: Batch[]) => (batches.find((b) => b.is_current) ?? batches[0])?.code ?? null;

/** Sets a filter's 毕业批次 to the opening batch once the batches are read, unless one is chosen already. */
export function useOpeningBatch(form: FormInstance, batches: Batch[]) {
  useEffect(() => {
    const code = openingBatch(batches);
    if (code && !form.getFieldValue('batch')) form.setFieldValue('batch', code);
  }, [batches, form]);
}

/** 毕业批次 and the teaching point, the first two fields of the filters. */
export function BatchTpCols({ batches, tps, fixedTp, tpLabel, searchBatch }: { batches: Batch[]; tps: OrgNode[]; fixedTp: string | null; tpLabel: string; searchBatch?: boolean }) {
  const me = useMe();
  return (
    <>
      <Col {...THIRD}>
        <BatchFilterItem batches={batches} search={searchBatch} />
      </Col>
      <Col {...THIRD}>
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
        <TextField
          label={label}
          name="reason"
          extra={extra}
          required={required}
          rules={[
            { min: 2, message: `${short}至少 2 个字` },
            { max: 200, message: `${short}不超过 200 字` },
          ]}
          rows={3}
          maxLength={200}
          placeholder={placeholder}
        />
      </Form>
    </Modal>
  );
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
