import { useState } from 'react';
import { Form, type FormInstance } from 'antd';

/**
 * One dialog that edits one object with a form (a FormModal): `show(target, values)` opens it, reset and
 * filled; `modal(act)` gives the FormModal its open/form/cancel/ok, where 确定 validates the form, runs
 * `act` (e.g. useBusyAction's `run`, which tells whether it succeeded) and closes the dialog on success.
 */
export function useFormDialog<T, V>() {
  const [form] = Form.useForm<V>();
  const [target, setTarget] = useState<T | null>(null);
  const show = (t: T, values?: Parameters<FormInstance<V>['setFieldsValue']>[0]) => {
    form.resetFields();
    if (values) form.setFieldsValue(values);
    setTarget(t);
  };
  const close = () => setTarget(null);
  const modal = (act: (t: T, v: V) => Promise<boolean>) => ({
    open: target !== null,
    form,
    onCancel: close,
    onOk: async () => {
      if (target === null) return;
      const v = await form.validateFields().catch(() => null);
      if (v !== null && (await act(target, v))) close();
    },
  });
  return { form, target, show, modal };
}
