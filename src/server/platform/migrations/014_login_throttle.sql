-- Sign-in throttling (issue 15; OWASP ASVS 5.0 V6.3): failed sign-ins are counted per user name (whether or not
-- such an account exists, so names cannot be told apart), per client address, and per (name, address), each with
-- a delay that doubles with every failure. The (name, address) pairs that signed in before pass by the name-wide
-- and address-wide delays, so a stranger's failures cannot lock an account out of the places it is used from.
-- It replaces the hard 15-minute lock of the account (app_user.failed_logins / locked_until).
create table login_throttle (
  kind          text not null check (kind in ('name', 'address', 'pair', 'known')),
  name          text not null default '',
  address       text not null default '',
  failures      int not null default 0,
  blocked_until timestamptz,
  last_at       timestamptz not null default now(),
  primary key (kind, name, address)
);

alter table app_user drop column failed_logins;
alter table app_user drop column locked_until;
