#!/bin/sh
# Proves each import-direction rule of biome.json fires: writes a deliberately wrong import into each
# layer, lints just that file, expects noRestrictedImports, and deletes the file again.
set -u
cd "$(dirname "$0")/.."
fail=0
check() { # folder, import source
  f="$1/zz-layer-probe.ts"
  printf "import * as probe from '%s';\nexport const p = probe;\n" "$2" > "$f"
  if npx biome lint "$f" 2>&1 | grep -q noRestrictedImports; then echo "ok    $1 -> $2 is refused"
  else echo "FAIL  $1 -> $2 passes the lint"; fail=1; fi
  rm -f "$f"
}
allow() { # folder, import source: the same probe must pass, so a refusal above is the layer rule's
  f="$1/zz-layer-probe.ts"
  printf "import * as probe from '%s';\nexport const p = probe;\n" "$2" > "$f"
  if npx biome lint "$f" 2>&1 | grep -q noRestrictedImports; then echo "FAIL  $1 -> $2 is refused"; fail=1
  else echo "ok    $1 -> $2 is allowed"; fi
  rm -f "$f"
}
check src/core/meta ../entry/handlers
check src/core/ingest ../host/host
check src/core/collector ../server/server
check src/core/kernel ../attribution/config
check src/core/kernel ../host/dispatcher
check src/core/kernel ../entry/handlers
check src/core/kernel electron
check src/core/host ../entry/handlers
check src/core/host ../server/server
check src/core/server ../entry/handlers
check src/core/secrets ../kernel/context
check src/core/workspace ../ingest/ingest
check src/core/prefs ../host/host
check src/core/db ../attribution/tables
check src/core/db/migrations ../../attribution/tables
check src/core/db/migrations ../../kernel/context
allow src/core/meta ../kernel/context
allow src/core/meta ../db/open
allow src/core/kernel ../db/open
allow src/core/host ../prechecks
allow src/core/server ../host/host
allow src/core/entry ../attribution/handlers
allow src/core/secrets ../db/open
allow src/core/db ../../shared/contract/errors
allow src/core/db/migrations ../migrate
exit $fail
