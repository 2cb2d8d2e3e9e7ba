import { useCallback, useEffect, useState } from 'react';
import { useParams } from 'react-router-dom';
import { Alert, App as AntApp, Button, Card, Col, Descriptions, Empty, Row, Skeleton, Table, Tag, Typography } from 'antd';
import { OFFICES } from '../../../shared/org.ts';
import { useMe } from '../../session.tsx';
import { fmtDateTime, PageTitle } from '../../ui.tsx';
import { call, upload } from '../../client.ts';
import { photosApi, type StudentPhoto, type StudentPhotos } from '../../../shared/contract/photos.ts';
import { PhotoImage, PickFile } from './photo-parts.tsx';

/**
 * The photo section of a student's card (学籍卡): the current photo of each type with its history, and
 * (for offices) uploading or replacing one photo. Standalone at /enroll/students/:id/photos until the
 * student card page exists, which can then embed <StudentPhotoSection studentId=… />.
 */
export default function StudentPhotosPage() {
  const { id } = useParams();
  const studentId = Number(id);
  return Number.isInteger(studentId) && studentId > 0 ? <StudentPhotoSection studentId={studentId} withTitle /> : <Alert type="error" title="学生编号不正确。" />;
}

/** 我的照片: a student sees their own photos (uploading is the teaching point's). */
export function MyPhotosPage() {
  const me = useMe();
  return me.student_id ? <StudentPhotoSection studentId={me.student_id} withTitle /> : <Alert type="warning" title="您的账号没有关联学籍。" />;
}

export function StudentPhotoSection({ studentId, withTitle }: { studentId: number; withTitle?: boolean }) {
  const me = useMe();
  const { message } = AntApp.useApp();
  const [data, setData] = useState<StudentPhotos | null>(null);
  const [failed, setFailed] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);

  const load = useCallback(() => {
    call(photosApi.student, { params: { id: studentId } }).then(setData, () => setFailed(true));
  }, [studentId]);
  useEffect(load, [load]);

  const uploadOne = async (type: string, file: File) => {
    setBusy(type);
    try {
      const r = await upload(photosApi.uploadOne, file, { params: { id: studentId }, query: { photo_type: type } });
      void message.success(r.verdict === '无变化' ? r.reason : `${type}已${r.verdict === '替换' ? '更换' : '上传'}。`);
      load();
    } catch {
      // shown by the client
    } finally {
      setBusy(null);
    }
  };

  if (failed) return <Alert type="error" showIcon title="学生不存在，或不在您的管理范围内。" />;
  if (!data) return <Skeleton active />;
  const s = data.student;

  return (
    <>
      {withTitle && <PageTitle>学生照片：{s.name}</PageTitle>}
      <Descriptions
        size="small"
        column={4}
        style={{ marginBottom: 16 }}
        items={[
          { key: 'no', label: '学号', children: s.student_no },
          { key: 'name', label: '姓名', children: s.name },
          { key: 'id', label: '身份证号', children: s.id_number_masked },
          { key: 'tp', label: '教学点', children: s.tp_name },
        ]}
      />
      <Row gutter={16}>
        {data.types.map((t) => (
          <Col key={t.code} xs={24} lg={12}>
            <Card
              size="small"
              title={t.code}
              aria-label={t.code}
              extra={
                OFFICES.includes(me.role) && (
                  <PickFile accept=".jpg,.jpeg,image/jpeg" onPick={(file) => uploadOne(t.code, file)}>
                    <Button size="small" loading={busy === t.code}>
                      {t.current ? '更换照片' : '上传照片'}
                    </Button>
                  </PickFile>
                )
              }
            >
              <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
                图片限制：{t.limits_text}
              </Typography.Paragraph>
              {t.current ? (
                <div style={{ display: 'flex', gap: 16 }}>
                  <PhotoImage id={t.current.id} width={120} height={160} alt={`${s.name}的${t.code}`} />
                  <Descriptions
                    size="small"
                    column={1}
                    items={[
                      { key: 'px', label: '尺寸', children: `${t.current.width}×${t.current.height}，${t.current.size_kb} KB` },
                      { key: 'by', label: '上传人', children: t.current.uploaded_by ?? '系统' },
                      { key: 'at', label: '上传时间', children: fmtDateTime(t.current.uploaded_at) },
                      { key: 'src', label: '方式', children: t.current.source },
                    ]}
                  />
                </div>
              ) : (
                <Empty description={`尚无${t.code}`} />
              )}
              {t.history.length > 1 && (
                <Table<StudentPhoto>
                  style={{ marginTop: 12 }}
                  size="small"
                  rowKey="id"
                  pagination={false}
                  dataSource={t.history}
                  columns={[
                    { title: '历史版本', key: 'img', width: 70, render: (_: unknown, p) => <PhotoImage id={p.id} width={30} height={40} /> },
                    { title: '上传时间', dataIndex: 'uploaded_at', render: (v: string) => fmtDateTime(v) },
                    { title: '上传人', dataIndex: 'uploaded_by', render: (v: string | null) => v ?? '系统' },
                    { title: '方式', dataIndex: 'source' },
                    { title: '状态', dataIndex: 'is_current', render: (c: boolean, p) => (c ? <Tag color="success">当前</Tag> : `已于 ${fmtDateTime(p.replaced_at)} 替换`) },
                  ]}
                />
              )}
            </Card>
          </Col>
        ))}
      </Row>
    </>
  );
}
