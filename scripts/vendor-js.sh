#!/usr/bin/env bash
# Refresh the JavaScript the web app serves from src/vigie/web/static/vendor/ (no CDN at run time).
# Needs npm (the npm registry). Pin versions here; the README beside the files lists their SHA-256.
set -euo pipefail
HTMX=2.0.11
CYTOSCAPE=3.35.0
CHARTJS=4.6.1
dest="$(cd "$(dirname "$0")/.." && pwd)/src/vigie/web/static/vendor"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent "htmx.org@$HTMX" "cytoscape@$CYTOSCAPE" "chart.js@$CHARTJS" >/dev/null
for f in *.tgz; do mkdir "${f%.tgz}" && tar xzf "$f" -C "${f%.tgz}"; done
cp "htmx.org-$HTMX/package/dist/htmx.min.js" "htmx.org-$HTMX/package/LICENSE" "$dest/" && mv "$dest/LICENSE" "$dest/htmx.LICENSE"
cp "cytoscape-$CYTOSCAPE/package/dist/cytoscape.min.js" "$dest/"
cp "cytoscape-$CYTOSCAPE/package/LICENSE" "$dest/cytoscape.LICENSE"
cp "chart.js-$CHARTJS/package/dist/chart.umd.min.js" "$dest/"
cp "chart.js-$CHARTJS/package/LICENSE.md" "$dest/chart.js.LICENSE.md"
cd "$dest" && sha256sum ./*.js
