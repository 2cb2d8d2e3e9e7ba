import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { Link, Outlet, useLocation, useNavigate } from 'react-router-dom';
import { Badge, Breadcrumb, Button, Grid, Layout, Menu, Result, Space, Tag, Typography } from 'antd';
import type { MenuProps } from 'antd';
import type { Role } from '../shared/org.ts';
import { useMe, useSession } from './session.tsx';
import { MENU_GROUPS, PAGES } from './pages.tsx';
import { call, MESSAGES_CHANGED } from './client.ts';
import { messagesApi } from '../shared/contract/exports.ts';

interface MenuLeaf {
  path: string;
  label: string;
  roles?: readonly Role[];
  /** A titled section inside its group (学籍 → 查询统计 → 学籍卡查询). */
  section?: string;
}
interface MenuGroup {
  key: string;
  label: string;
  children: MenuLeaf[];
}

/** The seed's menu tree, built from the page registry (pages.tsx); only what works is listed. */
export const MENU: (MenuLeaf | MenuGroup)[] = [
  ...PAGES.filter((p) => p.menu && !p.menu.group).map((p): MenuLeaf => ({ path: p.path, label: p.menu!.label, roles: p.roles })),
  ...MENU_GROUPS.map((g): MenuGroup => ({
    key: g.key,
    label: g.label,
    children: PAGES.filter((p) => p.menu?.group === g.key)
      .map((p): MenuLeaf => ({ path: p.path, label: p.menu!.label, roles: p.roles, section: p.menu!.section })),
  })),
];

const isGroup = (m: MenuLeaf | MenuGroup): m is MenuGroup => 'children' in m;
const allowed = (leaf: MenuLeaf, role: Role) => !leaf.roles || leaf.roles.includes(role);

/** Where a path sits in the menu: [group label?, item label]; a page below an item (a student's 学籍卡) sits at the item. */
function trail(path: string): { group?: MenuGroup; leaf?: MenuLeaf } {
  let below: { group?: MenuGroup; leaf?: MenuLeaf } = {};
  for (const m of MENU) {
    if (isGroup(m)) {
      const leaf = m.children.find((c) => c.path === path);
      if (leaf) return { group: m, leaf };
      const parent = m.children.find((c) => path.startsWith(c.path + '/'));
      if (parent && !below.leaf) below = { group: m, leaf: parent };
    } else if (m.path === path) {
      return { leaf: m };
    }
  }
  return below;
}

/** A page only some roles may open. */
export function Guard({ roles, children }: { roles: readonly Role[]; children: ReactNode }) {
  const me = useMe();
  if (!roles.includes(me.role)) {
    return <Result status="403" title="无权访问" subTitle="您的角色无权使用此功能。如需办理，请联系上级管理部门。" extra={<Link to="/">返回首页</Link>} />;
  }
  return <>{children}</>;
}

/** 消息 at the top right: the unread count, polled every 30 s and at once when an export starts or a message is read. */
function MessagesBell() {
  const [unread, setUnread] = useState(0);
  useEffect(() => {
    let alive = true;
    const load = () => {
      // Silent: the bell polls; a failed poll is not worth a toast.
      call(messagesApi.unreadCount, {}, { silent: true }).then((r) => alive && setUnread(r.unread), () => {});
    };
    load();
    const timer = window.setInterval(load, 30_000);
    window.addEventListener(MESSAGES_CHANGED, load);
    return () => {
      alive = false;
      window.clearInterval(timer);
      window.removeEventListener(MESSAGES_CHANGED, load);
    };
  }, []);
  return (
    <Badge count={unread} size="small" overflowCount={99} offset={[6, -2]}>
      <Link to="/messages" aria-label={unread ? `消息（${unread} 条未读）` : '消息'}>消息</Link>
    </Badge>
  );
}

export function Shell() {
  const { me, logout } = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  const path = location.pathname;
  const here = trail(path);
  const [openKeys, setOpenKeys] = useState<string[]>(here.group ? [here.group.key] : []);
  const [loggingOut, setLoggingOut] = useState(false);
  // On a phone the menu folds away (students read 我的毕业审核 there).
  const narrow = Grid.useBreakpoint().md === false;
  const [collapsed, setCollapsed] = useState(false);

  const items: MenuProps['items'] = useMemo(() => {
    const out: NonNullable<MenuProps['items']> = [];
    for (const m of MENU) {
      if (isGroup(m)) {
        const children: NonNullable<MenuProps['items']> = [];
        for (const c of m.children.filter((x) => allowed(x, me.role))) {
          const item = { key: c.path, label: c.label };
          if (!c.section) {
            children.push(item);
            continue;
          }
          const last = children[children.length - 1];
          if (last && last.type === 'group' && last.key === `${m.key}:${c.section}`) last.children?.push(item);
          else children.push({ type: 'group', key: `${m.key}:${c.section}`, label: c.section, children: [item] });
        }
        if (children.length) out.push({ key: m.key, label: m.label, children });
      } else if (allowed(m, me.role)) {
        out.push({ key: m.path, label: m.label });
      }
    }
    return out;
  }, [me.role]);

  const onLogout = () => {
    setLoggingOut(true);
    void logout().finally(() => setLoggingOut(false));
  };

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Sider width={210} theme="light" style={{ borderRight: '1px solid #f0f0f0' }} breakpoint="md" collapsedWidth={0} collapsed={collapsed} onCollapse={setCollapsed} zeroWidthTriggerStyle={{ top: 8 }}>
        <div style={{ height: 56, display: 'flex', alignItems: 'center', padding: '0 20px', borderBottom: '1px solid #f0f0f0' }}>
          <Typography.Text strong style={{ fontSize: 16, color: '#1677ff' }}>
            毕业管理平台
          </Typography.Text>
        </div>
        <Menu
          mode="inline"
          aria-label="主菜单"
          items={items}
          selectedKeys={[here.leaf?.path ?? path]}
          openKeys={openKeys}
          onOpenChange={(keys) => setOpenKeys(keys)}
          onClick={({ key }) => {
            if (narrow) setCollapsed(true);
            void navigate(key);
          }}
          style={{ borderInlineEnd: 'none' }}
        />
      </Layout.Sider>
      <Layout>
        <Layout.Header
          style={{ background: '#fff', height: 56, lineHeight: '56px', padding: narrow ? '0 12px 0 52px' : '0 24px', borderBottom: '1px solid #f0f0f0', display: 'flex', justifyContent: 'space-between' }}
        >
          <Breadcrumb
            style={{ lineHeight: '56px', display: narrow ? 'none' : undefined }}
            items={[
              ...(here.group ? [{ title: here.group.label }] : []),
              ...(here.leaf?.section ? [{ title: here.leaf.section }] : []),
              ...(here.leaf ? [{ title: here.leaf.label }] : [{ title: PAGES.find((p) => p.path === path)?.title ?? '' }]),
            ]}
          />
          <Space size="middle" aria-label="当前用户">
            <span>
              <Typography.Text strong>{me.display_name}</Typography.Text>
              <Tag color="blue" style={{ marginInlineStart: 8, marginInlineEnd: 6 }}>
                {me.role_name}
              </Tag>
              {!narrow && (
                <Typography.Text type="secondary">
                  {me.node.name}（{me.node.code}）
                </Typography.Text>
              )}
            </span>
            <MessagesBell />
            <Link to="/password">修改密码</Link>
            <Button type="link" style={{ padding: 0 }} loading={loggingOut} onClick={onLogout}>
              退出
            </Button>
          </Space>
        </Layout.Header>
        <Layout.Content style={{ padding: narrow ? 12 : 20 }}>
          <Outlet />
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
