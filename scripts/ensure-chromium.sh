#!/usr/bin/env bash
# Browser tests use Debian's Chromium (never a downloaded browser) and a CJK font to render Chinese.
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
fc-list 2>/dev/null | grep -qi 'wenquanyi\|wqy' || need+=(fonts-wqy-microhei)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "安装浏览器测试所需的软件包：${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "浏览器测试需要：sudo apt-get install ${need[*]}" >&2
    exit 1
  fi
fi
