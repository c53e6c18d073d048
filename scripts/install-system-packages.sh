#!/usr/bin/env bash
# Debian packages the tests need: chromium (viewer tests, via Playwright), xvfb + trayer + xcb libs (real
# windows and a system tray), dbus + gnome-keyring (a real Secret Service), postgresql (team mode).
set -euo pipefail
packages=(
  chromium xvfb xauth trayer dbus dbus-x11 gnome-keyring postgresql fonts-dejavu-core
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0
  libxcb-xkb1 libxkbcommon-x11-0 libegl1 libgl1 libnss3 libxcomposite1 libxdamage1 libxrandr2
  libxtst6 libxkbfile1 libasound2
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
