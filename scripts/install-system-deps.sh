#!/usr/bin/env bash
# Install the Debian packages the build needs, if any is missing:
#   chromium       prints the PDF and runs the browser tests (Playwright drives it)
#   poppler-utils  pdftotext / pdffonts / pdftoppm, for the PDF tests
#   fonts-dejavu-core, fonts-dejavu-extra  fonts with Cyrillic and Kazakh letters (Қанды Қаңтар,
#                  Назарбаев), in the regular, bold and italic faces the report uses
#   iproute2       `ip`, for the test that builds inside a network namespace with no network
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSerif-Italic.ttf ] || missing+=(fonts-dejavu-extra)
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing system packages: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  sudo=""
elif command -v sudo >/dev/null 2>&1; then
  sudo="sudo"
else
  echo "error: need root (or sudo) to install: ${missing[*]}" >&2
  echo "       install them with your package manager, then run make again" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
