#!/usr/bin/env bash
# Vendors GraphiQL's browser assets into api/assets/graphiql/: scripts/fetch-assets.sh graphiql.
#   scripts/fetch-graphiql.sh           (re)write the vendored files and MANIFEST.txt
#   scripts/fetch-graphiql.sh --check   verify the committed files against the pinned packages
exec "$(dirname "${BASH_SOURCE[0]}")/fetch-assets.sh" graphiql "$@"
