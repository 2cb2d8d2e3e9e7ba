import { useEffect, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { Alert, Button, Card, Descriptions, Empty, Skeleton, Space, Statistic, Typography } from 'antd';
import { OFFICES } from '../../shared/org.ts';
import { call } from '../client.ts';
import { batchesApi, type Home } from '../../shared/contract/batches.ts';
import { useMe } from '../session.tsx';
import { PageTitle, Stack } from '../ui.tsx';
import { BatchWindowsTable } from './system/batch-windows.tsx';

export default function HomePage() {
  const me = useMe();
  const navigate = useNavigate();
  const [home, setHome] = useState<Home | null>(null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    call(batchesApi.home).then(setHome, () => setFailed(true));
  }, []);

  const batch = home?.batch ?? null;
  const today = home?.today;
  const confirm = batch?.windows.find((w) => w.step === 'confirm');
  const confirmOpen = !!confirm?.open;

  return (
    <>
      <PageTitle>首页</PageTitle>
      <Stack>
        <Card size="small">
          <Typography.Text>
            您好，{me.display_name}（{me.role_name}，{me.node.name}）。今天是 {today ?? '…'}。
          </Typography.Text>
        </Card>
        {me.role === 'student' && (
          <Alert type="info" showIcon title="毕业生登记表的填写功能即将开放" description="届时请在“毕业”环节中完善入学登记表、填写毕业生登记表（自我鉴定），并留意下方的办理时间。" />
        )}
        {failed && <Alert type="error" showIcon title="首页数据加载失败，请刷新页面重试。" />}
        {!home && !failed && <Skeleton active />}
        {home && !batch && (
          <Card>
            <Empty description="当前没有进行中的毕业批次。" />
          </Card>
        )}
        {batch && home?.photos_missing != null && me.role !== 'student' && (
          <Card size="small" aria-label="缺照片">
            <Space>
              <Statistic title={`${batch.code} 批次缺少毕业证照片的毕业生`} value={home.photos_missing} suffix="人" styles={{ content: { color: home.photos_missing ? '#cf1322' : '#3f8600' } }} />
              {OFFICES.includes(me.role) && home.photos_missing > 0 && (
                <Button onClick={() => void navigate('/enroll/photos?tab=missing')}>查看缺照片名单</Button>
              )}
            </Space>
          </Card>
        )}
        {batch && me.role === 'student' && home?.photos_missing === 1 && (
          <Alert type="warning" showIcon title="您还没有毕业证照片" description="请联系所在教学点上传毕业证照片；照片缺失的毕业生，证书在补齐照片前不能公开查询。" />
        )}
        {batch && (
          <Card
            title={`当前毕业批次：${batch.code}（${batch.name}）`}
            extra={
              OFFICES.includes(me.role) && confirmOpen ? (
                <Button type="primary" onClick={() => void navigate('/graduation/confirm')}>
                  办理预毕业确认
                </Button>
              ) : null
            }
          >
            <Descriptions
              size="small"
              column={3}
              items={[
                { key: 'issue', label: '发证日期', children: batch.issue_date },
                { key: 'exempt', label: '免修免考申请截止', children: batch.exemption_deadline ?? '—' },
                { key: 'closing', label: '批次关闭日期', children: batch.closing_date ?? '—' },
              ]}
              style={{ marginBottom: 16 }}
            />
            <BatchWindowsTable windows={batch.windows} />
          </Card>
        )}
      </Stack>
    </>
  );
}
