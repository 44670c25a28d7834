#!/usr/bin/env bash
# System packages jixiao needs beyond npm (Debian / Ubuntu). Idempotent: installs only what is missing.
#   poppler-utils, -data     pdftoppm / pdftotext (page rendering for OCR, the PDF benchmark); CJK CMaps
#   tesseract-ocr(-chi-sim)  OCR of scanned PDF pages
#   libreoffice-*-nogui      legacy .doc / .xls conversion
#   chromium                 listings that need a browser; scorecard PDFs and notebook checks
#   fonts-noto-cjk           Chinese glyphs in rendered pages and PDFs
#   redis-server             the queue of a distributed run (jixiao worker / loader); tests start a private one
set -euo pipefail
PKGS=(poppler-utils poppler-data tesseract-ocr tesseract-ocr-chi-sim libreoffice-writer-nogui libreoffice-calc-nogui chromium fonts-noto-cjk redis-server)
missing=()
for p in "${PKGS[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-system: all system packages present"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup-system: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  SUDO=sudo
fi
echo "setup-system: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
